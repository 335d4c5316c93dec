package io.mjpegserver.capture;

/**
 * Told what the capture does, for metrics and logs. Called on the capture thread (a pulled source's), on a
 * pushed source's own threads (its event loop: {@link #captured}, {@link #sourceFailed}, {@link #sourceReopened}),
 * and {@link #sourceFailed} also on the capture watchdog (a hung grab, a silent source): implementations must
 * be quick, must not block, and must be thread-safe. What they throw is counted as an internal error. Every
 * method does nothing by default.
 */
public interface CaptureObserver {

    CaptureObserver NONE = new CaptureObserver() {
    };

    /**
     * A frame was captured.
     *
     * @param grabNanos   the whole grab: read, decode and encode
     * @param encodeNanos the JPEG encoding alone; 0 when the source passed a JPEG through
     * @param bytes       the JPEG's size
     */
    default void captured(long grabNanos, long encodeNanos, int bytes) {
    }

    /** The source was lost (once per loss); it will be reopened with backoff. {@code reason} is in words for users. */
    default void sourceFailed(String reason) {
    }

    /** The source was reopened after a failure. */
    default void sourceReopened() {
    }

}
