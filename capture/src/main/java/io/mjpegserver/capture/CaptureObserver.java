package io.mjpegserver.capture;

/**
 * Told what the capture thread does, for metrics and logs. Called on the capture thread: implementations
 * must be quick and must not block. Every method does nothing by default.
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

    /** The source failed; it will be reopened with backoff. */
    default void sourceFailed(String reason) {
    }

    /** The source was reopened after a failure. */
    default void sourceReopened() {
    }

    /** A NO SIGNAL frame was published in place of the missing source's. */
    default void noSignalFrame() {
    }
}
