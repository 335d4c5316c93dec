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
 * @param ringSeconds    the ring keeps at least this many seconds of frames (0 to 60), for time-shifted snapshots
 */
public record CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames, double ringSeconds) {

    public static final double DEFAULT_RING_SECONDS = 2;

    public static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(10);

    /** Always on, 10 s grace (unused), every frame published. */
    public static final CaptureOptions DEFAULTS = new CaptureOptions(false, DEFAULT_IDLE_GRACE, false);

    /** With the default {@link #DEFAULT_RING_SECONDS}. */
    public CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames) {
        this(onDemand, idleGrace, dropSameFrames, DEFAULT_RING_SECONDS);
    }

    public CaptureOptions {
        if (idleGrace == null || idleGrace.isNegative() || idleGrace.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("idle-grace: " + idleGrace + " (expected: 0 to 86400 seconds)");
        }
        if (!(ringSeconds >= 0 && ringSeconds <= 60)) {
            throw new IllegalArgumentException("ring-seconds: " + ringSeconds + " (expected: 0 to 60 seconds)");
        }
    }
}
