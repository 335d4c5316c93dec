package io.mjpegserver.server.stream;

/** Told when a client is turned away or cut off; {@code reason} is a short metric label. Must not block. */
@FunctionalInterface
public interface RejectListener {

    RejectListener NONE = reason -> { };

    void rejected(String reason);
}
