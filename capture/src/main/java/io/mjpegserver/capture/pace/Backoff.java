package io.mjpegserver.capture.pace;

import java.util.concurrent.TimeUnit;

/**
 * How long to wait before reopening a lost source: 250 ms, doubling with each failed attempt up to 5 s, back
 * to 250 ms once a frame came through. Thread-safe: a pushed source's frames reset it on their event loop.
 */
public final class Backoff {

    static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    private volatile long nanos = MIN_NANOS;

    /** The wait before the next attempt; the one after it will be twice as long. */
    public long next() {
        long wait = nanos;
        nanos = Math.min(wait * 2, MAX_NANOS);
        return wait;
    }

    /** A frame came through: the next loss waits the least again. */
    public void reset() {
        nanos = MIN_NANOS;
    }
}
