package io.mjpegserver.capture;

/**
 * What the capture has done so far: a snapshot for {@code /state}, {@code /healthz} and logs.
 *
 * @param online          whether the source is up: false from a loss (a failed or hung grab, a silent or failed
 *                        pushed source, an error while publishing) until its next frame, and false while
 *                        {@code idle} (an idle feed is not down: health checks should let it pass)
 * @param framesCaptured  whole frames the source delivered since start (those dropped as the same as the last
 *                        one included, truncated ones not)
 * @param noSignalFrames  NO SIGNAL frames published while it was down
 * @param actualFps       the rate of the last frames; 0 when none came for two seconds
 * @param lastGrabNanos   how long the last grab (read, decode and encode) took
 * @param lastEncodeNanos how long its JPEG encoding took; 0 for a passed-through JPEG
 * @param sinceLastFrameNanos time since the source's last frame, or -1 before the first
 * @param reopens         how often the source was reopened after a failure (a pushed source: reconnected and
 *                        delivered a frame again)
 * @param lastError       the last failure's message, in words for users, or {@code null}
 * @param failures        how often the source was lost, whatever the cause (each loss counted once)
 * @param hangs           of those, grabs that did not return in time (the watchdog's doing)
 * @param internalErrors  exceptions from our own code on the capture threads (a ring listener, the observer,
 *                        the NO SIGNAL drawing, a source's bug): each a bug to report; one that stopped the feed is
 *                        also counted in {@code failures}
 * @param idle            an on-demand feed, closed for lack of clients (it opens at the next client)
 * @param clients         the clients of the moment, as counted by {@code CaptureService.acquire}/{@code release}
 * @param incompleteFrames passed-through frames dropped by the JPEG stage as not whole, and parts a relay skipped
 *                        for a wrong {@code Content-Length}
 * @param sameFrames      frames not published as byte-identical to the previous one ({@code dropSameFrames})
 * @param hangNanos       the watchdog's threshold: a source silent this long is declared lost (from the source's
 *                        nominal rate and the interval it has shown between frames); 0 while not known
 */
public record CaptureStats(boolean online, long framesCaptured, long noSignalFrames, double actualFps, long lastGrabNanos,
        long lastEncodeNanos, long sinceLastFrameNanos, long reopens, String lastError, long failures, long hangs,
        long internalErrors, boolean idle, int clients, long incompleteFrames, long sameFrames, long hangNanos) {

    /** The figures of a feed that is always on and drops nothing (what callers before on-demand build). */
    public CaptureStats(boolean online, long framesCaptured, long noSignalFrames, double actualFps, long lastGrabNanos,
            long lastEncodeNanos, long sinceLastFrameNanos, long reopens, String lastError, long failures, long hangs,
            long internalErrors) {
        this(online, framesCaptured, noSignalFrames, actualFps, lastGrabNanos, lastEncodeNanos, sinceLastFrameNanos,
                reopens, lastError, failures, hangs, internalErrors, false, 0, 0, 0, 0);
    }
}
