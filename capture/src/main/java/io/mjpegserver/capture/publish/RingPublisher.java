package io.mjpegserver.capture.publish;

import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The frame ring's one publisher at a time, and the source's state that decides which: live frames while the source
 * is up, the watchdog's NO SIGNAL frames while it is down, nothing while an on-demand feed is idle. Every publish
 * and change of state happens under one lock, so sequence numbers only grow. Each loss, and going idle, starts a new
 * generation: a frame grabbed in an earlier one (a hung grab that finally returns) is stale.
 */
public final class RingPublisher {

    /** Why the source was lost: the three counters of {@link CaptureStats}. */
    public enum Loss {
        /** The source reported a failure. */
        SOURCE,
        /** A grab did not return in time. */
        HUNG,
        /** Our own code threw on the capture thread. */
        INTERNAL
    }

    private final FrameRing ring;
    private final ReentrantLock lock = new ReentrantLock();
    // Written under the lock; volatile for readers of statistics.
    private volatile boolean online = true;
    private volatile long generation;
    private volatile String lastError;
    private volatile long failures;
    private volatile long hangs;
    private volatile long internalErrors;
    private volatile long noSignalFrames;
    private volatile boolean closed;
    private volatile boolean idle;
    private long sequence;

    public RingPublisher(FrameRing ring) {
        this.ring = ring;
    }

    /** What {@link #publishLive} did. */
    enum Outcome {
        PUBLISHED,
        /** Published, and the source is up again after a loss. */
        BACK,
        /** Not published (and released): the source was declared lost during the grab, or the service closed. */
        STALE
    }

    /**
     * Publishes a live frame grabbed in {@code grabGeneration}, taking over the caller's reference to
     * {@code jpeg} in every case (released at once when stale). Capture thread only. Whatever a ring listener
     * throws is thrown on; the frame is in the ring by then. {@code stampMicros} is its wall-clock stamp, 0 for now.
     */
    Outcome publishLive(long grabGeneration, ByteBuf jpeg, long nanos, long stampMicros, int width, int height) {
        lock.lock();
        try {
            if (closed || grabGeneration != generation) {
                jpeg.release();
                return Outcome.STALE;
            }
            boolean back = !online;
            online = true;
            ring.publish(new Frame(++sequence, nanos, stampMicros != 0 ? stampMicros : wallClockMicros(), width, height,
                    jpeg));
            return back ? Outcome.BACK : Outcome.PUBLISHED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes a NO SIGNAL frame if the source is still down and the lock is free, taking over the caller's
     * reference to {@code jpeg} in every case; whether it did. Watchdog only; never blocks.
     */
    public boolean publishNoSignal(ByteBuf jpeg, int width, int height) {
        if (!lock.tryLock()) {
            jpeg.release();
            return false;
        }
        try {
            if (closed || online || idle) {
                jpeg.release();
                return false;
            }
            noSignalFrames++;
            ring.publish(new Frame(++sequence, System.nanoTime(), wallClockMicros(), width, height, jpeg, false));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Declares the source lost in {@code lostGeneration} for {@code reason} (in words for users), unless that
     * generation is already over: whether this call declared it, so each loss is counted and told once.
     * With {@code wait} false (the watchdog) it gives up when the lock is taken, as a capture thread stuck in a ring
     * listener must not stop the watchdog too. The ring's frames become history, never sent as current again.
     */
    public boolean lose(long lostGeneration, Loss loss, String reason, boolean wait) {
        if (wait) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return false;
        }
        try {
            if (lostGeneration != generation) {
                return false;
            }
            generation++;
            online = false;
            ring.interrupt();
            lastError = reason;
            failures++;
            if (loss == Loss.HUNG) {
                hangs++;
            } else if (loss == Loss.INTERNAL) {
                internalErrors++;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The source was closed for lack of clients: a new generation, offline and idle (no NO SIGNAL frames), what the
     * ring holds history. Not a loss: nothing is counted.
     */
    public void idle() {
        lock.lock();
        try {
            generation++;
            online = false;
            idle = true;
            ring.interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * An idle source is being opened again: it counts as up (as a source just started) until a loss says
     * otherwise, so its clients see no NO SIGNAL frame while it warms up. Does nothing unless idle.
     */
    public void wake() {
        lock.lock();
        try {
            if (idle) {
                idle = false;
                online = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A new generation with no change of state, for a pushed source's new connection: whatever the one before
     * still delivers is stale. Returns the new generation.
     */
    public long renew() {
        lock.lock();
        try {
            return ++generation;
        } finally {
            lock.unlock();
        }
    }

    public boolean isIdle() {
        return idle;
    }

    /** Counts an error of our own that did not stop the feed (a NO SIGNAL frame that could not be drawn...). */
    public void internalError() {
        lock.lock();
        try {
            internalErrors++;
        } finally {
            lock.unlock();
        }
    }

    /** A reopen failed: the newest reason is shown. */
    public void reason(String reason) {
        lastError = reason;
    }

    /** No publish after this returns, but one already under way. */
    public void close() {
        closed = true;
    }

    public long generation() {
        return generation;
    }

    public boolean online() {
        return online;
    }

    public String lastError() {
        return lastError;
    }

    public long failures() {
        return failures;
    }

    public long hangs() {
        return hangs;
    }

    public long internalErrors() {
        return internalErrors;
    }

    public long noSignalFrames() {
        return noSignalFrames;
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
