package io.mjpegserver.capture.frame;

/** Told of every frame a {@link FrameRing} publishes. */
@FunctionalInterface
public interface FrameListener {

    /**
     * Called on the publishing (capture) thread right after {@code frame} entered the ring. The frame is
     * valid for the duration of the call only: a listener that keeps it, or hands it to another thread,
     * retains it first and releases it when done. Must not block.
     */
    void onFrame(Frame frame);
}
