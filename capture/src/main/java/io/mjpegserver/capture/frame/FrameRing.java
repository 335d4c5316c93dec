package io.mjpegserver.capture.frame;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The newest frames: at least {@code minFrames}, beyond that those within {@code keepNanos} of the newest, never
 * over {@code maxFrames}. It owns one reference per frame and releases it on eviction or close. One publisher at
 * a time (the capture service serialises them); any thread may read.
 */
public final class FrameRing implements AutoCloseable {

    /** The frame rate up to which {@link #maxFramesFor} keeps the whole time span. */
    public static final int TIME_KEEP_FPS = 120;

    private final Object lock = new Object();
    private final Frame[] slots;
    private final int minFrames;
    private final long keepNanos;
    private final List<FrameListener> listeners = new CopyOnWriteArrayList<>();
    private final FrameBudget budget;
    /** Index of the oldest frame held, and how many are held. */
    private int head;
    private int count;
    private long published;
    private boolean closed;
    /** Frames up to this sequence are history: published before the feed last went down or to sleep. */
    private volatile long historyThrough;
    /**
     * Under the lock: when frames held stopped being current, as {sequence, nanos} pairs in order, so that a
     * lookup by time never answers, for a moment the feed was down or asleep, with the frame from before it.
     */
    private final ArrayDeque<long[]> ends = new ArrayDeque<>();

    /** A ring of exactly {@code capacity} newest frames. */
    public FrameRing(int capacity) {
        this(checkCapacity(capacity), 0, capacity);
    }

    private static int checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        return capacity;
    }

    /**
     * @param minFrames frames kept whatever their age (at least 1)
     * @param keepNanos beyond those, frames captured within this long of the newest are kept too
     * @param maxFrames the cap on frames held, which bounds memory ({@code >= minFrames})
     */
    public FrameRing(int minFrames, long keepNanos, int maxFrames) {
        this(minFrames, keepNanos, maxFrames, FrameBudget.unlimited());
    }

    /**
     * As {@link #FrameRing(int, long, int)}, within {@code budget}: past it, the oldest frames go first, down to
     * the newest alone, whatever {@code minFrames} and {@code keepNanos} ask.
     */
    public FrameRing(int minFrames, long keepNanos, int maxFrames, FrameBudget budget) {
        if (minFrames < 1 || maxFrames < minFrames || keepNanos < 0) {
            throw new IllegalArgumentException("minFrames " + minFrames + ", keepNanos " + keepNanos + ", maxFrames "
                    + maxFrames + " (expected: 1 <= minFrames <= maxFrames, keepNanos >= 0)");
        }
        this.minFrames = minFrames;
        this.keepNanos = keepNanos;
        this.slots = new Frame[maxFrames];
        this.budget = budget;
    }

    /** The budget the ring's frames, and the frames its readers pin, count against. */
    public FrameBudget budget() {
        return budget;
    }

    /**
     * The frame cap for a ring that keeps {@code seconds} of frames and at least {@code minFrames}: the span at
     * up to {@link #TIME_KEEP_FPS} frames per second (a faster source keeps that many frames, a shorter span).
     */
    public static int maxFramesFor(int minFrames, double seconds) {
        return Math.max(minFrames, (int) Math.ceil(seconds * TIME_KEEP_FPS) + 1);
    }

    /** {@code seconds} as the {@code keepNanos} of the constructor. */
    public static long keepNanos(double seconds) {
        return (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * Puts {@code frame} into the ring, evicting (and releasing) what is now too old or over the cap, then
     * tells every listener. Takes ownership of the caller's reference: the caller must not release it. A frame
     * published to a closed ring is released at once.
     */
    public void publish(Frame frame) {
        Frame[] evicted = null;
        int evictedCount = 0;
        synchronized (lock) {
            if (closed) {
                frame.release();
                return;
            }
            if (count == slots.length) {
                evicted = new Frame[] {removeOldest()};
                evictedCount = 1;
            }
            slots[(head + count) % slots.length] = frame;
            count++;
            published++;
            budget.hold(frame.sequence(), FrameBudget.footprint(FrameBudget.allocated(frame.content())));
            // Older than needed: the second oldest already covers the span, so the oldest can go.
            while (count > minFrames && frame.monotonicNanos() - slots[(head + 1) % slots.length].monotonicNanos()
                    >= keepNanos) {
                if (evicted == null || evictedCount == evicted.length) {
                    evicted = Arrays.copyOf(evicted == null ? new Frame[0] : evicted, evictedCount + 4);
                }
                evicted[evictedCount++] = removeOldest();
            }
            // Over the budget: the oldest go before their time, down to the newest alone; then whatever clients
            // still pin beyond it is theirs to let go (the budget's cutoff).
            while (count > 1 && budget.over()) {
                if (evicted == null || evictedCount == evicted.length) {
                    evicted = Arrays.copyOf(evicted == null ? new Frame[0] : evicted, evictedCount + 4);
                }
                evicted[evictedCount++] = removeOldest();
                budget.dropped();
            }
            budget.settle(frame.sequence());
            while (!ends.isEmpty() && ends.peekFirst()[0] < at(0).sequence()) {
                ends.removeFirst();
            }
            // Held across the listeners so a concurrent close() cannot free it under them.
            frame.retain();
        }
        try {
            for (int i = 0; i < evictedCount; i++) {
                evicted[i].release();
            }
            for (FrameListener listener : listeners) {
                listener.onFrame(frame);
            }
        } finally {
            frame.release();
        }
    }

    /** Under the lock: takes the oldest frame out; the caller owns its reference. */
    private Frame removeOldest() {
        Frame oldest = slots[head];
        budget.release(oldest.sequence());
        slots[head] = null;
        head = (head + 1) % slots.length;
        count--;
        return oldest;
    }

    /** Under the lock: the {@code i}-th oldest frame held, not retained. */
    private Frame at(int i) {
        return slots[(head + i) % slots.length];
    }

    /**
     * The newest frame, retained for the caller, who must release it; {@code null} before the first frame
     * and after {@link #close()}.
     */
    public Frame latest() {
        synchronized (lock) {
            if (count == 0 || closed) {
                return null;
            }
            return at(count - 1).retain();
        }
    }

    /**
     * The newest frame if it is current (see {@link #interrupt()}), retained for the caller, who must release it;
     * {@code null} when there is none, or the newest is from before the feed last went down or to sleep.
     */
    public Frame current() {
        synchronized (lock) {
            if (count == 0 || closed || !isCurrent(at(count - 1).sequence())) {
                return null;
            }
            return at(count - 1).retain();
        }
    }

    /** Whether the frame numbered {@code sequence} is current: published since the feed last went down or to sleep. */
    public boolean isCurrent(long sequence) {
        return sequence > historyThrough;
    }

    /**
     * The feed went down or to sleep: the frames held (the newest above all) are history from now on, kept for
     * lookups by time and sequence, but never the current frame: {@link #current()} has none until the next
     * publish, and {@link #atOrBefore} finds none for a time from now until then. Listeners are told
     * ({@link FrameListener#onHistory}). Called by the one publisher.
     */
    public void interrupt() {
        long through;
        synchronized (lock) {
            if (closed || count == 0) {
                return;
            }
            through = at(count - 1).sequence();
            if (through == historyThrough) {
                return;
            }
            historyThrough = through;
            ends.addLast(new long[] {through, System.nanoTime()});
        }
        for (FrameListener listener : listeners) {
            listener.onHistory(through);
        }
    }

    /**
     * The newest frame captured at or before {@code monotonicNanos} ({@link System#nanoTime()} time), retained
     * for the caller, who must release it; {@code null} when every frame held is newer (the one asked for is
     * gone), or none is held.
     */
    public Frame atOrBefore(long monotonicNanos) {
        synchronized (lock) {
            Frame frame = closed ? null : newestAtOrBefore(Frame::monotonicNanos, monotonicNanos);
            return frame == null || endedBefore(frame.sequence(), monotonicNanos) ? null : frame.retain();
        }
    }

    /** Under the lock: whether the frame numbered {@code sequence} stopped being current before {@code nanos}. */
    private boolean endedBefore(long sequence, long nanos) {
        for (long[] end : ends) {
            if (end[0] == sequence) {
                return end[1] - nanos < 0;
            }
        }
        return false;
    }

    /**
     * The frame with sequence {@code sequence}, retained for the caller, who must release it; {@code null}
     * when the ring does not hold it (gone, not captured yet, or never published).
     */
    public Frame bySequence(long sequence) {
        synchronized (lock) {
            Frame frame = closed ? null : newestAtOrBefore(Frame::sequence, sequence);
            return frame == null || frame.sequence() != sequence ? null : frame.retain();
        }
    }

    /**
     * Under the lock: the newest frame held whose {@code key} (a time or a sequence, both rising through the ring)
     * is at or before {@code target}, not retained; {@code null} when every frame held is after it.
     */
    private Frame newestAtOrBefore(ToLongFunction<Frame> key, long target) {
        for (int i = count - 1; i >= 0; i--) {
            Frame frame = at(i);
            if (key.applyAsLong(frame) - target <= 0) {
                return frame;
            }
        }
        return null;
    }

    /**
     * The sequences of the oldest and newest frames held, {@code {0, 0}} when none: to say why a lookup found
     * nothing (the ring may have moved on since).
     */
    public long[] sequenceSpan() {
        synchronized (lock) {
            if (count == 0 || closed) {
                return new long[] {0, 0};
            }
            return new long[] {at(0).sequence(), at(count - 1).sequence()};
        }
    }

    /** How many frames were ever published. */
    public long published() {
        synchronized (lock) {
            return published;
        }
    }

    /** The most frames the ring holds at once. */
    public int capacity() {
        return slots.length;
    }

    /** How many frames the ring holds. */
    public int occupancy() {
        synchronized (lock) {
            return closed ? 0 : count;
        }
    }

    /** Total JPEG bytes the ring holds now. */
    public long bytes() {
        synchronized (lock) {
            long bytes = 0;
            for (int i = 0; i < count; i++) {
                bytes += at(i).size();
            }
            return bytes;
        }
    }

    public void addListener(FrameListener listener) {
        listeners.add(listener);
    }

    public void removeListener(FrameListener listener) {
        listeners.remove(listener);
    }

    /** Releases every frame; later publishes are released at once. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            while (count > 0) {
                removeOldest().release();
            }
        }
    }
}
