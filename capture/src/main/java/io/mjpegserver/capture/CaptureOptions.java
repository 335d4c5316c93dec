package io.mjpegserver.capture;

import java.time.Duration;

/**
 * How a feed's capture behaves beyond what it captures: validated once, immutable.
 *
 * @param onDemand       open the source at the first client and close it {@code idleGrace} after the last
 * @param idleGrace      how long an on-demand source stays open with no client
 * @param dropSameFrames a frame byte-identical to the one before is not published again
 * @param ringSeconds    the ring keeps at least this many seconds of frames (0 to 60), for time-shifted snapshots
 * @param workers        threads encoding a {@link PooledSource}'s images (1: the capture thread), or {@link #AUTO_WORKERS}
 * @param noSignalFrames NO SIGNAL frames about once a second while the source is down (some NVRs record them as motion)
 * @param memory         the feed's byte budget for frames kept and in flight, or {@link #AUTO_MEMORY}
 */
public record CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames, double ringSeconds,
        int workers, boolean noSignalFrames, long memory) {

    /** {@code memory}: derived by the server from the JVM's direct memory and the number of feeds. */
    public static final long AUTO_MEMORY = 0;
    /** The smallest budget a feed may be given. */
    public static final long MIN_MEMORY = 4L << 20;

    /** {@code workers}: one per core for frames of 1920x1080 and more, else 1. */
    public static final int AUTO_WORKERS = 0;
    /** The most encoder threads a feed may have. */
    public static final int MAX_WORKERS = 32;

    /** {@code ringSeconds} unless told. */
    public static final double DEFAULT_RING_SECONDS = 2;

    /** {@code idleGrace} unless told. */
    public static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(10);

    /** Always on, 10 s grace (unused), every frame published. */
    public static final CaptureOptions DEFAULTS = new CaptureOptions(false, DEFAULT_IDLE_GRACE, false);

    /** With the default {@link #DEFAULT_RING_SECONDS}. */
    public CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames) {
        this(onDemand, idleGrace, dropSameFrames, DEFAULT_RING_SECONDS);
    }

    /** With {@link #AUTO_WORKERS}. */
    public CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames, double ringSeconds) {
        this(onDemand, idleGrace, dropSameFrames, ringSeconds, AUTO_WORKERS);
    }

    /** With NO SIGNAL frames and {@link #AUTO_MEMORY}. */
    public CaptureOptions(boolean onDemand, Duration idleGrace, boolean dropSameFrames, double ringSeconds,
            int workers) {
        this(onDemand, idleGrace, dropSameFrames, ringSeconds, workers, true, AUTO_MEMORY);
    }

    public CaptureOptions {
        if (idleGrace == null || idleGrace.isNegative() || idleGrace.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("idle-grace: " + idleGrace + " (expected: 0 to 86400 seconds)");
        }
        if (!(ringSeconds >= 0 && ringSeconds <= 60)) {
            throw new IllegalArgumentException("ring-seconds: " + ringSeconds + " (expected: 0 to 60 seconds)");
        }
        if (workers < AUTO_WORKERS || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: auto, or 1 to " + MAX_WORKERS + ")");
        }
        if (memory != AUTO_MEMORY && memory < MIN_MEMORY) {
            throw new IllegalArgumentException("memory: " + memory + " (expected: auto, or at least " + MIN_MEMORY
                    + " bytes)");
        }
    }

    /** These options with a budget of {@code bytes} ({@link #AUTO_MEMORY}: derived). */
    public CaptureOptions withMemory(long bytes) {
        return new CaptureOptions(onDemand, idleGrace, dropSameFrames, ringSeconds, workers, noSignalFrames, bytes);
    }

    /** These options with {@code workers} encoder threads ({@link #AUTO_WORKERS}: decided by the frame size). */
    public CaptureOptions withWorkers(int workers) {
        return new CaptureOptions(onDemand, idleGrace, dropSameFrames, ringSeconds, workers, noSignalFrames, memory);
    }

    /** These options with NO SIGNAL frames while the source is down, or none. */
    public CaptureOptions withNoSignalFrames(boolean drawn) {
        return new CaptureOptions(onDemand, idleGrace, dropSameFrames, ringSeconds, workers, drawn, memory);
    }

    /**
     * The encoder threads for frames of {@code size} on {@code cores} cores: {@link #workers()} when given; else
     * (auto) one per core, at most 4, from 1920x1080 up, where one thread cannot encode 60 fps (or 2160p at 30);
     * below, 1: the capture thread encodes, as a pool would only add a hand-over per frame.
     */
    public int workersFor(VideoSize size, int cores) {
        if (workers != AUTO_WORKERS) {
            return workers;
        }
        return (long) size.width() * size.height() >= 1920L * 1080 ? Math.max(1, Math.min(cores, 4)) : 1;
    }
}
