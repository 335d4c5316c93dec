package io.mjpegserver.capture;

import io.netty.buffer.ByteBuf;

/** Where a {@link PushSource} delivers. Thread-safe: called on the source's own threads. */
public interface FrameSink {

    /**
     * One JPEG as the upstream sent it (not yet checked: the supervisor's JPEG stage checks it is whole). The
     * sink takes ownership of {@code jpeg} and releases it.
     */
    void frame(ByteBuf jpeg);

    /**
     * One JPEG with the capture time the upstream stamped on it, in microseconds since the epoch (its
     * {@code X-Timestamp}), kept as the frame's wall-clock stamp so relays pass the origin's on; 0 for none, when
     * the frame is stamped as it is published. The sink takes ownership of {@code jpeg} and releases it.
     */
    default void frame(ByteBuf jpeg, long stampMicros) {
        frame(jpeg);
    }

    /**
     * The source dropped a frame it could not deliver whole (a relayed part whose {@code Content-Length} was
     * wrong): counted with the frames the JPEG stage drops as incomplete.
     */
    default void incomplete() {
    }

    /**
     * The source failed and delivers nothing more to this sink: {@code reason} says what went wrong in words
     * for users ({@code upstream http://cam/video.mjpg closed the connection mid-frame}), never a library's.
     */
    void failed(String reason);
}
