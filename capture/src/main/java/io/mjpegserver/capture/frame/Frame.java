package io.mjpegserver.capture.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One encoded JPEG image (FF D8 ... FF D9) and when it was captured.
 *
 * <p>A frame is reference counted through its {@link #content()}: {@link #retain()} and {@link #release()}
 * act on the JPEG buffer. Whoever creates a frame owns one reference; {@link FrameRing#publish(Frame)} takes
 * that reference over. {@link #retainedDuplicate()} shares the bytes (no copy) and must be released by its
 * receiver.
 *
 * <p>Room: a source that copies each JPEG into a buffer of its own allocates it with {@link #allocate}, which
 * keeps {@link #HEADROOM} bytes free in front of the JPEG and {@link #TAILROOM} behind it, outside the readable
 * bytes. A consumer that sends the JPEG framed (the server: a multipart part's header fields in front, the next
 * delimiter behind) may write its framing there, once per frame ({@link #claimRoom}), and send the whole as one
 * buffer, still without a copy. The JPEG bytes themselves are never written; what a consumer writes in the room
 * must be the same bytes whoever writes them for that frame.
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
     * Claims the room around {@code jpeg} for the frame numbered {@code sequence}: whether it may write its
     * framing there. Only a buffer from {@link #allocate} (or a duplicate of one: the same memory and indices)
     * has room, so the bytes around any other JPEG, which may belong to other frames, are never touched. The
     * first frame to claim a room keeps it: a source that publishes the same JPEG again as another frame (a
     * still image, a repeated video frame) shares its memory, and that frame's framing, whose sequence and time
     * differ, must go elsewhere while the first may still be on its way to clients. Called where a feed's frames
     * are published, which is one at a time (the capture thread's live frames and the watchdog's NO SIGNAL
     * frames go through one lock).
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
