package io.mjpegserver.capture;

/**
 * What the capture has done so far: a snapshot for {@code /state}, {@code /healthz} and logs.
 *
 * @param online           whether the source is up: false from a loss until its next frame, and while idle
 * @param framesCaptured   whole frames the source delivered (same-frame drops included, truncated ones not)
 * @param noSignalFrames   NO SIGNAL frames published while it was down
 * @param actualFps        the rate of the last frames, from the second; 0 when none came for three of their intervals (2 s at least)
 * @param lastGrabNanos    how long the last grab (read, decode and encode) took
 * @param lastEncodeNanos  how long its JPEG encoding took; 0 for a passed-through JPEG
 * @param sinceLastFrameNanos time since the source's last frame, or -1 before the first
 * @param reopens          reopens after a loss (a pushed source's: reconnected and delivered a frame again)
 * @param lastError        the last failure's message, in words for users, or {@code null}
 * @param failures         losses of the source, whatever the cause, each counted once
 * @param hangs            of those, grabs or pushed sources the watchdog found silent too long
 * @param internalErrors   exceptions from our own code on the capture threads, each a bug to report
 * @param idle             an on-demand feed closed for lack of clients: not down, health checks let it pass
 * @param clients          the clients of the moment, counted by {@code CaptureService.acquire}/{@code release}
 * @param incompleteFrames frames dropped as not whole, and relay parts skipped for a wrong {@code Content-Length}
 * @param sameFrames       frames not published as byte-identical to the one before ({@code dropSameFrames})
 * @param hangNanos        the watchdog's threshold for a silent source; 0 while not known
 */
public record CaptureStats(boolean online, long framesCaptured, long noSignalFrames, double actualFps, long lastGrabNanos,
        long lastEncodeNanos, long sinceLastFrameNanos, long reopens, String lastError, long failures, long hangs,
        long internalErrors, boolean idle, int clients, long incompleteFrames, long sameFrames, long hangNanos) {

    /** The figures of a feed that is always on and drops nothing, for tests that build their own. */
    public CaptureStats(boolean online, long framesCaptured, long noSignalFrames, double actualFps, long lastGrabNanos,
            long lastEncodeNanos, long sinceLastFrameNanos, long reopens, String lastError, long failures, long hangs,
            long internalErrors) {
        this(online, framesCaptured, noSignalFrames, actualFps, lastGrabNanos, lastEncodeNanos, sinceLastFrameNanos,
                reopens, lastError, failures, hangs, internalErrors, false, 0, 0, 0, 0);
    }
}
