package io.mjpegserver.capture;

import java.time.Duration;

/**
 * How a feed's capture behaves beyond what it captures: validated once, immutable.
 *
 * @param onDemand       open the source at the first client and close it {@code idleGrace} after the last;
 *                       otherwise it runs from start to stop
 * @param idleGrace      how long an on-demand source stays open with no client
 * @param dropSameFrames a frame byte-identical to the one before is not published again (the server's
 *                       one-second repeat still keeps clients alive)
 */
public record CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames) {

    public static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(10);

    /** Always on, 10 s grace (unused), every frame published. */
    public static final CaptureOptions DEFAULTS = new CaptureOptions(false, DEFAULT_IDLE_GRACE, false);

    public CaptureOptions {
        if (idleGrace == null || idleGrace.isNegative() || idleGrace.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("idle-grace: " + idleGrace + " (expected: 0 to 86400 seconds)");
        }
    }
}
