package io.mjpegserver.server.stream;

import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on what all HTTP/2 connections together hold unsent (DATA frames written by their streams and not yet
 * taken by their sockets), and on what one may hold. Thread-safe: each connection's {@link Http2Unsent} reserves
 * and releases from its own event loop.
 */
public final class Http2UnsentTotal {

    /** The most one connection may hold, however large the direct memory: a few parts of the largest frames. */
    static final long MAX_PER_CONNECTION = 16L << 20;
    /** The least one connection may hold, however small the direct memory: one part of a large relayed frame. */
    static final long MIN_PER_CONNECTION = 4L << 20;

    private final long max;
    private final long perConnection;
    private final AtomicLong unsent = new AtomicLong();

    /**
     * @param max           the most all connections may hold together, in bytes
     * @param perConnection the most one connection may hold, in bytes
     */
    public Http2UnsentTotal(long max, long perConnection) {
        if (perConnection <= 0 || max < perConnection) {
            throw new IllegalArgumentException("perConnection: " + perConnection + " (expected: > 0 and <= max " + max + ")");
        }
        this.max = max;
        this.perConnection = perConnection;
    }

    /**
     * Bounds sized from the JVM's direct memory, where frames live: all connections a quarter of it, one connection
     * a quarter of that, within {@link #MIN_PER_CONNECTION} and {@link #MAX_PER_CONNECTION}.
     */
    public static Http2UnsentTotal forDirectMemory() {
        long all = Math.max(MIN_PER_CONNECTION, PlatformDependent.maxDirectMemory() / 4);
        long one = Math.min(all, Math.max(MIN_PER_CONNECTION, Math.min(MAX_PER_CONNECTION, all / 4)));
        return new Http2UnsentTotal(all, one);
    }

    long max() {
        return max;
    }

    long perConnection() {
        return perConnection;
    }

    /** Takes {@code bytes} if they fit: the caller gives them back with {@link #release}. */
    boolean reserve(long bytes) {
        if (unsent.addAndGet(bytes) > max) {
            unsent.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(long bytes) {
        unsent.addAndGet(-bytes);
    }

    /** Bytes all connections hold unsent now. */
    public long unsent() {
        return unsent.get();
    }
}
