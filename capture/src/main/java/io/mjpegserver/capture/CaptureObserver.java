package io.mjpegserver.capture;

/**
 * Told what the capture does, for metrics and logs, on the capture threads, a pushed source's event loop and the
 * watchdog: implementations must be quick, non-blocking and thread-safe. What they throw is an internal error.
 */
public interface CaptureObserver {

    /** Hears nothing. */
    CaptureObserver NONE = new CaptureObserver() {
    };

    /**
     * A frame was captured: {@code grabNanos} the whole grab (read, decode and encode), {@code encodeNanos} the
     * encoding alone (0 for a passed-through JPEG), {@code bytes} the JPEG's size.
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
