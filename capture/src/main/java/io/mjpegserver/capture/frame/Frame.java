package io.mjpegserver.capture.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One encoded JPEG (FF D8 ... FF D9) and when it was captured, reference counted through its {@link #content()}:
 * the creator owns one reference, which {@link FrameRing#publish(Frame)} takes over; a {@link #retainedDuplicate()}
 * shares the bytes and is released by its receiver. A buffer from {@link #allocate} has room around the JPEG where
 * a consumer may write its framing once per frame ({@link #claimRoom}), to send it all as one buffer.
 */
public final class Frame extends DefaultByteBufHolder {

    /** Free bytes kept in front of the JPEG by {@link #allocate}. */
    public static final int HEADROOM = 256;
    /** Free bytes kept behind the JPEG by {@link #allocate}. */
    public static final int TAILROOM = 96;
    /** The first bytes of the headroom hold the sequence of the frame that claimed it ({@link #claimRoom}). */
    public static final int CLAIM_BYTES = 8;
    /** The maximum capacity that marks a buffer from {@link #allocate}: its own, and its duplicates'. */
    private static final int ROOM_MARK = Integer.MAX_VALUE - 1;

    private final long sequence;
    private final long monotonicNanos;
    private final long wallClockMicros;
    private final int width;
    private final int height;
    private final boolean live;

    /**
     * A live frame: the source's own picture.
     *
     * @param jpeg the encoded image; the new frame owns the caller's reference to it
     */
    public Frame(long sequence, long monotonicNanos, long wallClockMicros, int width, int height, ByteBuf jpeg) {
        this(sequence, monotonicNanos, wallClockMicros, width, height, jpeg, true);
    }

    /**
     * @param jpeg the encoded image; the new frame owns the caller's reference to it
     * @param live whether it is the source's own picture, rather than a placeholder (NO SIGNAL) drawn for it
     */
    public Frame(long sequence, long monotonicNanos, long wallClockMicros, int width, int height, ByteBuf jpeg,
            boolean live) {
        super(jpeg);
        this.sequence = sequence;
        this.monotonicNanos = monotonicNanos;
        this.wallClockMicros = wallClockMicros;
        this.width = width;
        this.height = height;
        this.live = live;
    }

    /**
     * A direct buffer for a JPEG of {@code length} bytes, with room around it: write the JPEG from its writer
     * index (where its reader index is too). The caller owns it.
     */
    public static ByteBuf allocate(ByteBufAllocator alloc, int length) {
        int capacity = HEADROOM + length + TAILROOM;
        ByteBuf buf = alloc.directBuffer(capacity, ROOM_MARK);
        // The claim: no frame has been framed in this room yet.
        buf.setLong(0, 0);
        return buf.setIndex(HEADROOM, HEADROOM);
    }

    /**
     * Claims the room around {@code jpeg} for frame {@code sequence}: whether it may write its framing there. Only a
     * buffer from {@link #allocate} has room, and the first frame to claim it keeps it (a JPEG published again as
     * another frame shares its memory). What is written there must be the same bytes whoever writes it for that
 * frame. Called where frames are published, one at a time.
     */
    public static boolean claimRoom(ByteBuf jpeg, long sequence) {
        if (jpeg.maxCapacity() != ROOM_MARK || jpeg.readerIndex() != HEADROOM
                || jpeg.capacity() - jpeg.writerIndex() < TAILROOM) {
            return false;
        }
        long claimedBy = jpeg.getLong(0);
        if (claimedBy != 0 && claimedBy != sequence) {
            return false;
        }
        jpeg.setLong(0, sequence);
        return true;
    }

    /** Capture order, starting at 1; strictly increasing within one server run. */
    public long sequence() {
        return sequence;
    }

    /** {@link System#nanoTime()} when the image was captured. */
    public long monotonicNanos() {
        return monotonicNanos;
    }

    /** Wall-clock time of capture in microseconds since the Unix epoch (what {@code X-Timestamp} carries). */
    public long wallClockMicros() {
        return wallClockMicros;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether the source delivered it ({@code X-Source-Online: true}), rather than a placeholder drawn for it. */
    public boolean live() {
        return live;
    }

    /** The JPEG's length in bytes. */
    public int size() {
        return content().readableBytes();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(sequence, monotonicNanos, wallClockMicros, width, height, content, live);
    }

    @Override
    public Frame retainedDuplicate() {
        return (Frame) super.retainedDuplicate();
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        super.touch();
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "Frame(#" + sequence + ", " + width + 'x' + height + ", " + size() + " bytes" + (live ? ")" : ", placeholder)");
    }
}
