package io.mjpegserver.capture.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The bytes read from one upstream and not yet consumed, in a buffer only ever appended to, so frames leave as
 * retained slices of it: one copy per frame per upstream, never per client. When full, the unconsumed tail moves
 * to a fresh buffer and the old one is left to the frames still pinning it. Offsets the parser keeps are relative
 * to the reader index. Event loop only; {@link #close()} releases this cumulation's reference.
 */
final class FrameCumulation implements AutoCloseable {

    static final int MIN_CAPACITY = 256 * 1024;
    private static final int MAX_SPARE_CAPACITY = 4 * 1024 * 1024;

    private final ByteBufAllocator alloc;
    private ByteBuf buffer;
    private int lastFrameLength;

    FrameCumulation(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /**
     * Copies the readable bytes of {@code in} after the unconsumed ones. Does not release {@code in} (the caller
     * does); does not move its reader index.
     */
    void append(ByteBuf in) {
        int length = in.readableBytes();
        if (length == 0) {
            return;
        }
        if (buffer == null || buffer.capacity() - buffer.writerIndex() < length) {
            // Doubling keeps a big part from being copied over and over as it grows.
            moveTo(Math.max(length, readable() + length));
        }
        buffer.writeBytes(in, in.readerIndex(), length);
    }

    /**
     * Makes room for {@code bytes} from the reader index without another move, for a part whose length is known:
     * its bytes are then copied exactly once.
     */
    void reserve(int bytes) {
        if (buffer == null || buffer.capacity() - buffer.readerIndex() < bytes) {
            moveTo(bytes - readable());
        }
    }

    /** The unconsumed bytes: readable from the reader index. Valid until the next {@link #append}; not to be released. */
    ByteBuf bytes() {
        return buffer == null ? Unpooled.EMPTY_BUFFER : buffer;
    }

    /** Unconsumed bytes. */
    int readable() {
        return buffer == null ? 0 : buffer.readableBytes();
    }

    /** Consumes {@code length} bytes. */
    void skip(int length) {
        buffer.skipBytes(length);
    }

    /**
     * Consumes {@code length} bytes starting {@code offset} after the reader index, plus everything before them,
     * and returns the {@code length} bytes as a retained slice: the caller releases it (it is handed to the sink,
     * which takes ownership).
     */
    ByteBuf takeFrame(int offset, int length, int consumed) {
        ByteBuf frame = buffer.retainedSlice(buffer.readerIndex() + offset, length);
        buffer.skipBytes(consumed);
        lastFrameLength = length;
        return frame;
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    /** Moves the unconsumed bytes to a buffer with room for {@code incoming} more. */
    private void moveTo(int incoming) {
        int unconsumed = readable();
        if (buffer != null && buffer.refCnt() == 1 && buffer.capacity() >= unconsumed + incoming) {
            // No frame pins this buffer any more (only we can take new references): compact it in place.
            buffer.discardReadBytes();
            return;
        }
        int spare = Math.min(MAX_SPARE_CAPACITY, Math.max(MIN_CAPACITY, 4 * lastFrameLength));
        int capacity = Math.max(spare, unconsumed + incoming);
        ByteBuf fresh = alloc.directBuffer(capacity, capacity);
        if (buffer != null) {
            fresh.writeBytes(buffer, buffer.readerIndex(), unconsumed);
            buffer.release(); // frames handed out keep the old memory alive until they are released
        }
        buffer = fresh;
    }
}
