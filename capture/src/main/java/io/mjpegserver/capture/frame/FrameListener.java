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

    /**
     * The feed went down or to sleep: every frame up to sequence {@code throughSequence} is history from now on,
     * never to be sent as the current frame (see {@link FrameRing#interrupt()}). Called on the thread that declared
     * it, under the publisher's lock: must not block. Nothing by default.
     */
    default void onHistory(long throughSequence) {
    }
}
