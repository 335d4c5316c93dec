package io.mjpegserver.capture.pace;

import java.time.Duration;

/**
 * Whether anyone wants the source open: always, or for an on-demand feed, while it has clients and for a
 * grace period after the last one left. Thread-safe: clients come and go on event loops (which must never
 * block: every method here is a few field accesses under a short lock); the source's own thread asks.
 */
public final class Demand {

    /** No deadline. */
    public static final long NEVER = Long.MAX_VALUE;

    private final boolean onDemand;
    private final long graceNanos;
    private final Runnable changed;
    private int clients;
    /** Whether the grace period after the last client runs; until {@link #idleAtNanos}. */
    private boolean inGrace;
    private long idleAtNanos;

    /**
     * @param changed told (on the caller's thread, after the change) when the first client comes or the last one
     *                leaves, the only changes that alter {@link #wanted} or {@link #idleAtNanos}: it wakes the
     *                source's thread, which a crowd of clients connecting at once would otherwise wake once each
     */
    public Demand(boolean onDemand, Duration idleGrace, Runnable changed) {
        this.onDemand = onDemand;
        this.graceNanos = idleGrace.toNanos();
        this.changed = changed;
    }

    /** A client came. */
    public void acquire() {
        boolean first;
        synchronized (this) {
            first = clients++ == 0;
        }
        if (first) {
            changed.run();
        }
    }

    /** A client left; a release with no client (a bug of the caller's) is ignored. */
    public void release() {
        synchronized (this) {
            if (clients == 0) {
                return;
            }
            if (--clients > 0) {
                return;
            }
            inGrace = true;
            idleAtNanos = System.nanoTime() + graceNanos;
        }
        changed.run();
    }

    public synchronized int clients() {
        return clients;
    }

    /** Whether the source should be open at {@code now} ({@link System#nanoTime()}). */
    public synchronized boolean wanted(long now) {
        return !onDemand || clients > 0 || (inGrace && idleAtNanos - now > 0);
    }

    /** When the source stops being wanted unless a client comes: {@link #NEVER} while it has clients or is not on demand. */
    public synchronized long idleAtNanos() {
        return !onDemand || clients > 0 || !inGrace ? NEVER : idleAtNanos;
    }
}
