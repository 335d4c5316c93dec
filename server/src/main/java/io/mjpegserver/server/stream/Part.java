package io.mjpegserver.server.stream;

import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;

/**
 * One frame ready for the wire, shared by every client of every protocol: its header fields (built once, with
 * room in front for the chunk-size line) and the ring's JPEG bytes, framed in place when the source left room.
 * A {@link StreamWire} per protocol writes it from derived buffers, never a copy. Reference counted: the creator
 * owns one reference and each loop takes its own {@link #forLoop} copy; the last release frees the fields.
 */
final class Part extends AbstractReferenceCounted {

    private final long sequence;
    private final long capturedNanos;
    /** The chunk-size line followed by the fields. */
    private final ByteBuf head;
    private final int chunkLineLength;
    private final ByteBuf jpeg;
    /**
     * The whole chunked part in one buffer, from the chunk line through the chunk's CRLF, built in the room the
     * source kept around the JPEG (the ring's memory); {@code null} when the JPEG has no room.
     */
    private final ByteBuf whole;
    /** Bytes of the multipart part: fields, JPEG and the delimiter that follows. */
    private final int length;
    /**
     * A loop's part only: how many of its clients have a write of it outstanding, plus one while it is the loop's
     * newest. Confined to that loop; the feed's budget hears only of the first pin and the last.
     */
    private int pins;

    private Part(long sequence, long capturedNanos, ByteBuf head, int chunkLineLength, ByteBuf jpeg, ByteBuf whole,
            int length) {
        this.sequence = sequence;
        this.capturedNanos = capturedNanos;
        this.head = head;
        this.chunkLineLength = chunkLineLength;
        this.jpeg = jpeg;
        this.whole = whole;
        this.length = length;
    }

    /**
     * Builds the part for {@code frame}. The frame stays the caller's: the part takes its own retained
     * duplicate of the JPEG. The caller owns the returned part.
     */
    static Part of(Frame frame, MultipartFormat format, ByteBufAllocator alloc) {
        MultipartFormat.PartHeader h = format.header(frame, alloc);
        int fields = h.buf().readableBytes() - h.chunkPrefix();
        ByteBuf whole = format.frameInRoom(frame, h);
        return new Part(frame.sequence(), frame.monotonicNanos(), h.buf(), h.chunkPrefix(),
                frame.content().retainedDuplicate(), whole, fields + frame.size() + format.delimiterLength());
    }

    /**
     * This part for one event loop's clients: the same bytes, through buffers derived for that loop alone. Each
     * client's write retains and releases what it was derived from; derived from the loop's own buffers, those
     * counts live in a cache line only that loop writes, instead of one that every loop's clients write (and
     * that would move between cores for each of them). The caller owns the returned part.
     */
    Part forLoop() {
        return new Part(sequence, capturedNanos, head.retainedDuplicate(), chunkLineLength, jpeg.retainedDuplicate(),
                whole == null ? null : whole.retainedDuplicate(), length);
    }

    long sequence() {
        return sequence;
    }

    /** One holder more on this loop's part; whether it is the first. Event loop only. */
    boolean pin() {
        return pins++ == 0;
    }

    /** One holder less on this loop's part; whether it was the last. Event loop only. */
    boolean unpin() {
        return --pins == 0;
    }

    /** When its frame was captured, {@link System#nanoTime()} time. */
    long capturedNanos() {
        return capturedNanos;
    }

    /** Bytes of the multipart part itself (fields, JPEG, following delimiter), before any HTTP framing. */
    int length() {
        return length;
    }

    /** The header fields through their blank line, as a retained slice the caller writes. */
    ByteBuf retainedFields() {
        return head.retainedSlice(head.readerIndex() + chunkLineLength, head.readableBytes() - chunkLineLength);
    }

    /** The HTTP/1.1 chunk-size line of the whole part followed by the fields, as a retained duplicate. */
    ByteBuf retainedChunkLineAndFields() {
        return head.retainedDuplicate();
    }

    /** The JPEG, as a retained duplicate the caller writes: its own reader index, the ring's memory. */
    ByteBuf retainedJpeg() {
        return jpeg.retainedDuplicate();
    }

    /**
     * The whole part in one buffer, as a retained slice the caller writes: chunked, from the chunk line through
     * the chunk's CRLF; raw, the fields through the delimiter. {@code null} when the JPEG had no room for it:
     * then the fields, the JPEG and the tail go as three buffers.
     */
    ByteBuf retainedWhole(boolean chunked) {
        if (whole == null) {
            return null;
        }
        return chunked ? whole.retainedDuplicate()
                : whole.retainedSlice(whole.readerIndex() + chunkLineLength, length);
    }

    @Override
    protected void deallocate() {
        head.release();
        jpeg.release();
        if (whole != null) {
            whole.release();
        }
    }

    @Override
    public Part retain() {
        super.retain();
        return this;
    }

    @Override
    public Part touch(Object hint) {
        head.touch(hint);
        jpeg.touch(hint);
        if (whole != null) {
            whole.touch(hint);
        }
        return this;
    }
}
