package io.mjpegserver.capture;

/**
 * What the capture thread has done so far: a snapshot for {@code /state}, {@code /healthz} and logs.
 *
 * @param online          whether the source is up: false from a loss (a failed or hung grab, an error while
 *                        publishing) until its next frame
 * @param framesCaptured  frames the source delivered since start
 * @param noSignalFrames  NO SIGNAL frames published while it was down
 * @param actualFps       the rate of the last frames; 0 when none came for two seconds
 * @param lastGrabNanos   how long the last grab (read, decode and encode) took
 * @param lastEncodeNanos how long its JPEG encoding took; 0 for a passed-through JPEG
 * @param sinceLastFrameNanos time since the source's last frame, or -1 before the first
 * @param reopens         how often the source was reopened after a failure
 * @param lastError       the last failure's message, in words for users, or {@code null}
 * @param failures        how often the source was lost, whatever the cause (each loss counted once)
 * @param hangs           of those, grabs that did not return in time (the watchdog's doing)
 * @param internalErrors  exceptions from our own code on the capture threads (a ring listener, the observer,
 *                        the NO SIGNAL drawing, a source's bug): each a bug to report; one that stopped the feed is
 *                        also counted in {@code failures}
 */
public record CaptureStats(boolean online, long framesCaptured, long noSignalFrames, double actualFps, long lastGrabNanos,
        long lastEncodeNanos, long sinceLastFrameNanos, long reopens, String lastError, long failures, long hangs,
        long internalErrors) {
}
