package io.mjpegserver.server.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many new connections one address may open: {@code perSecond} on average, and {@link #BURST_SECONDS} seconds'
 * worth at once (a token bucket per address), so an NVR opening a connection per camera at start, or a browser
 * loading a page of feeds, never meets it, and a client reconnecting in a loop does. Thread-safe: every event loop
 * asks. An address leaves the map once its bucket is full again, so the map holds only recent addresses.
 */
final class ConnectionRate {

    /** The burst an address may open at once, in seconds of its rate. */
    static final int BURST_SECONDS = 5;
    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(BURST_SECONDS);

    private final double perNano;
    private final double burst;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime() + SWEEP_NANOS);

    /** What is left in an address's bucket, as of {@code at}. */
    private record Bucket(double tokens, long at) {
    }

    /** @param perSecond new connections per second per address, more than 0 */
    ConnectionRate(int perSecond) {
        this.perNano = perSecond / 1e9;
        this.burst = (double) perSecond * BURST_SECONDS;
    }

    /** Whether {@code address} may open one more connection now; if so, counts it. */
    boolean admit(InetAddress address) {
        long now = System.nanoTime();
        sweep(now);
        boolean[] admitted = new boolean[1];
        buckets.compute(address, (a, bucket) -> {
            double tokens = bucket == null ? burst : refilled(bucket, now);
            admitted[0] = tokens >= 1;
            return new Bucket(admitted[0] ? tokens - 1 : tokens, now);
        });
        return admitted[0];
    }

    private double refilled(Bucket bucket, long now) {
        return Math.min(burst, bucket.tokens() + (now - bucket.at()) * perNano);
    }

    /** Now and then, drops the addresses whose bucket has filled up again: they are as good as new. */
    private void sweep(long now) {
        long due = nextSweep.get();
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + SWEEP_NANOS)) {
            buckets.values().removeIf(bucket -> refilled(bucket, now) >= burst);
        }
    }
}
