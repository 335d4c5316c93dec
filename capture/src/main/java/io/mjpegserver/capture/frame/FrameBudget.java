package io.mjpegserver.capture.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A feed's byte budget for the frames its ring holds and its clients still have in flight, counted per distinct
 * frame (each event loop pins a frame once), never per client. Over it, the ring drops its oldest frames, then
 * {@link #cutoff()} rises to close the clients pinning older frames. Thread-safe.
 */
public final class FrameBudget {

    /** The pooled allocator's chunk: a frame smaller than it shares one with frames of its size class only. */
    private static final int CHUNK = PooledByteBufAllocator.defaultPageSize() << PooledByteBufAllocator.defaultMaxOrder();

    private final long limit;
    /** Every frame alive, by sequence, oldest first, with its holders (a loop may pin a frame the ring let go). */
    private final Map<Long, Held> frames = new TreeMap<>();
    private long used;
    private volatile long cutoff;
    private volatile long usedNow;
    private volatile long framesDropped;
    private volatile long cutoffs;

    private static final class Held {
        final long bytes;
        int holders;

        Held(long bytes) {
            this.bytes = bytes;
        }
    }

    /** @param limit the most bytes of frames the feed keeps alive, {@code > 0} */
    public FrameBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("memory: " + limit + " (expected: > 0)");
        }
        this.limit = limit;
    }

    /**
     * What a frame of {@code size} bytes costs the pooled allocator: its size class (four a doubling), times the
     * share of a chunk that class leaves unusable by frames of the same size (a 2.3 MB frame takes a 4 MiB chunk
     * of its own); beyond a chunk, its size.
     */
    public static long footprint(int size) {
        if (size >= CHUNK || size <= 0) {
            return Math.max(0, size);
        }
        int group = Integer.highestOneBit(size);
        int step = Math.max(1, group / 4);
        long sizeClass = ((long) size + step - 1) / step * step;
        return CHUNK / (CHUNK / sizeClass);
    }

    /**
     * The bytes {@code content} keeps allocated: the whole buffer it was sliced from (a relayed JPEG is a slice of
     * the buffer its part was read into), else its own capacity, and never less than its readable bytes.
     */
    public static int allocated(ByteBuf content) {
        ByteBuf root = content.unwrap();
        return Math.max(content.readableBytes(), root != null ? root.capacity() : content.capacity());
    }

    /** A budget that never binds, for a ring of its own in tests and tools. */
    public static FrameBudget unlimited() {
        return new FrameBudget(Long.MAX_VALUE);
    }

    /** The most bytes of frames the feed keeps alive. */
    public long limit() {
        return limit;
    }

    /** Bytes of frames alive now: the ring's and those pinned by clients' writes. From any thread. */
    public long used() {
        return usedNow;
    }

    /** Frames the ring dropped before their time to stay within the budget. */
    public long framesDropped() {
        return framesDropped;
    }

    /** Times the frames clients pinned did not fit and the oldest pinners were told to go. */
    public long cutoffs() {
        return cutoffs;
    }

    /**
     * The sequence below which a client's outstanding write pins memory the budget has not got: such a client
     * is to be closed. 0 while everything fits. One volatile read: an event loop reads it once per frame.
     */
    public long cutoff() {
        return cutoff;
    }

    /** A holder of frame {@code sequence} of {@code bytes} more: the ring, when it takes it; a loop, at its first pin. */
    public synchronized void hold(long sequence, long bytes) {
        Held held = frames.get(sequence);
        if (held == null) {
            held = new Held(bytes);
            frames.put(sequence, held);
            used += bytes;
            usedNow = used;
        }
        held.holders++;
    }

    /** One holder of frame {@code sequence} less: the frame's bytes leave the budget with its last holder. */
    public synchronized void release(long sequence) {
        Held held = frames.get(sequence);
        if (held == null) {
            return;
        }
        if (--held.holders == 0) {
            frames.remove(sequence);
            used -= held.bytes;
            usedNow = used;
        }
    }

    /** Whether the frames alive exceed the limit. */
    synchronized boolean over() {
        return used > limit;
    }

    synchronized void dropped() {
        framesDropped++;
    }

    /**
     * After the ring dropped what it could down to its newest frame, {@code newest}: when still over the limit,
     * raises the cutoff past the oldest frames until what is left fits (never past {@code newest}).
     */
    synchronized void settle(long newest) {
        if (used <= limit) {
            return;
        }
        long left = used;
        long newCutoff = newest;
        for (Iterator<Map.Entry<Long, Held>> it = frames.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Held> entry = it.next();
            if (left <= limit || entry.getKey() >= newest) {
                newCutoff = entry.getKey();
                break;
            }
            left -= entry.getValue().bytes;
        }
        if (newCutoff > cutoff) {
            cutoff = newCutoff;
            cutoffs++;
        }
    }
}
