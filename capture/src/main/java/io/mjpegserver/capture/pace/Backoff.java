package io.mjpegserver.capture.pace;

import java.util.concurrent.TimeUnit;

/**
 * How long to wait before reopening a lost source: 250 ms, doubling with each failed attempt up to a cap, back
 * to 250 ms once a frame came through. The cap is 5 s, or 500 ms for a source
 * whose failed open is a local check (a camera unplugged): it is live again within a second of its return.
 * Thread-safe: a pushed source's frames reset it on their event loop.
 */
public final class Backoff {

    static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long CHEAP_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final long maxNanos;
    private volatile long nanos = MIN_NANOS;

    private Backoff(long maxNanos) {
        this.maxNanos = maxNanos;
    }

    /** The schedule for most sources (a relay or an RTSP camera, whose reopen costs a connection): up to 5 s apart. */
    public static Backoff standard() {
        return new Backoff(MAX_NANOS);
    }

    /** The schedule for a source whose failed open costs only a local check (a camera): up to 500 ms apart. */
    public static Backoff cheap() {
        return new Backoff(CHEAP_MAX_NANOS);
    }

    /** The wait before the next attempt; the one after it will be twice as long, up to the cap. */
    public long next() {
        long wait = nanos;
        nanos = Math.min(wait * 2, maxNanos);
        return wait;
    }

    /** A frame came through: the next loss waits the least again. */
    public void reset() {
        nanos = MIN_NANOS;
    }
}
