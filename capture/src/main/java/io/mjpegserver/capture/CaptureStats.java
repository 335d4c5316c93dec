package io.mjpegserver.capture;

/**
 * What the capture thread has done so far: a snapshot for {@code /state}, {@code /healthz} and logs.
 *
 * @param online          whether the source's last grab succeeded
 * @param framesCaptured  frames the source delivered since start
 * @param noSignalFrames  NO SIGNAL frames published while it was down
 * @param actualFps       the rate of the last frames; 0 when none came for two seconds
 * @param lastGrabNanos   how long the last grab (read, decode and encode) took
 * @param lastEncodeNanos how long its JPEG encoding took; 0 for a passed-through JPEG
 * @param sinceLastFrameNanos time since the source's last frame, or -1 before the first
 * @param reopens         how often the source was reopened after a failure
 * @param lastError       the last failure's message, or {@code null}
 */
public record CaptureStats(boolean online, long framesCaptured, long noSignalFrames, double actualFps, long lastGrabNanos,
        long lastEncodeNanos, long sinceLastFrameNanos, long reopens, String lastError) {
}
