package io.mjpegserver.server.stream;

import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AbstractReferenceCounted;

/**
 * One frame ready for the wire, shared by every client: the header built once and the JPEG bytes of the
 * ring's buffer. Writing it to a client costs three derived buffers, never a copy.
 *
 * <p>Reference counted: the creator owns one reference; an event loop that keeps it retains it. When the
 * last reference goes, the header and this part's hold on the JPEG are released.
 */
final class Part extends AbstractReferenceCounted {

    private final MultipartFormat format;
    private final long sequence;
    private final long capturedNanos;
    private final ByteBuf header;
    private final int chunkPrefix;
    private final ByteBuf jpeg;

    private Part(MultipartFormat format, long sequence, long capturedNanos, ByteBuf header, int chunkPrefix, ByteBuf jpeg) {
        this.format = format;
        this.sequence = sequence;
        this.capturedNanos = capturedNanos;
        this.header = header;
        this.chunkPrefix = chunkPrefix;
        this.jpeg = jpeg;
    }

    /**
     * Builds the part for {@code frame}. The frame stays the caller's: the part takes its own retained
     * duplicate of the JPEG. The caller owns the returned part.
     */
    static Part of(Frame frame, MultipartFormat format, ByteBufAllocator alloc) {
        MultipartFormat.PartHeader h = format.header(frame, alloc);
        return new Part(format, frame.sequence(), frame.monotonicNanos(), h.buf(), h.chunkPrefix(), frame.content().retainedDuplicate());
    }

    long sequence() {
        return sequence;
    }

    /** When its frame was captured, {@link System#nanoTime()} time. */
    long capturedNanos() {
        return capturedNanos;
    }

    /** Bytes one client receives for this part. */
    int wireLength(boolean chunked) {
        int headerLength = chunked ? header.readableBytes() : header.readableBytes() - chunkPrefix;
        return headerLength + jpeg.readableBytes() + format.tail(chunked).readableBytes();
    }

    /**
     * Writes this part to {@code ctx} and flushes. Each written buffer is a retained derivative that Netty
     * releases when the write completes or fails; failures reach {@code exceptionCaught}.
     */
    void writeTo(ChannelHandlerContext ctx, boolean chunked) {
        ByteBuf head = chunked
                ? header.retainedDuplicate()
                : header.retainedSlice(header.readerIndex() + chunkPrefix, header.readableBytes() - chunkPrefix);
        ctx.write(head, ctx.voidPromise());
        ctx.write(jpeg.retainedDuplicate(), ctx.voidPromise());
        ctx.writeAndFlush(format.tail(chunked), ctx.voidPromise());
    }

    @Override
    protected void deallocate() {
        header.release();
        jpeg.release();
    }

    @Override
    public Part retain() {
        super.retain();
        return this;
    }

    @Override
    public Part touch(Object hint) {
        header.touch(hint);
        jpeg.touch(hint);
        return this;
    }
}
