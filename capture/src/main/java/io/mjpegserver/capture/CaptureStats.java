package io.mjpegserver.capture;

/**
 * What the capture thread has done so far: a consistent-enough snapshot for {@code /state} and logs.
 *
 * @param online          whether the source delivered its last frame without error
 * @param framesCaptured  frames published since start
 * @param lastGrabNanos   how long the last grab (read, decode, encode) took
 * @param reopens         how often the source was reopened after a failure
 * @param lastError       the last failure's message, or {@code null}
 */
public record CaptureStats(boolean online, long framesCaptured, long lastGrabNanos, long reopens, String lastError) {
}
