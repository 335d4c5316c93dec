package io.mjpegserver.server.stream;

import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AbstractReferenceCounted;

/**
 * One frame ready for the wire, shared by every client: the header built once and the JPEG bytes of the
 * ring's buffer. Writing it to a client costs three derived buffers, never a copy; or, when the part was also
 * written to a tmpfs file ({@link PartFiles}) and the client's socket is plain epoll, one file region (sendfile).
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
    /** The same wire bytes in a tmpfs file for sendfile, or {@code null}; this part owns one reference. */
    private final PartFile file;

    private Part(MultipartFormat format, long sequence, long capturedNanos, ByteBuf header, int chunkPrefix, ByteBuf jpeg,
            PartFile file) {
        this.format = format;
        this.sequence = sequence;
        this.capturedNanos = capturedNanos;
        this.header = header;
        this.chunkPrefix = chunkPrefix;
        this.jpeg = jpeg;
        this.file = file;
    }

    /**
     * Builds the part for {@code frame}. The frame stays the caller's: the part takes its own retained
     * duplicate of the JPEG. The caller owns the returned part.
     */
    static Part of(Frame frame, MultipartFormat format, ByteBufAllocator alloc) {
        return of(frame, format, alloc, PartFiles.NONE);
    }

    /** As {@link #of(Frame, MultipartFormat, ByteBufAllocator)}, with the wire bytes also in a file of {@code files}. */
    static Part of(Frame frame, MultipartFormat format, ByteBufAllocator alloc, PartFiles files) {
        MultipartFormat.PartHeader h = format.header(frame, alloc);
        PartFile file = files.write(h.buf(), frame.content(), format.tail(true));
        return new Part(format, frame.sequence(), frame.monotonicNanos(), h.buf(), h.chunkPrefix(),
                frame.content().retainedDuplicate(), file);
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
        writeTo(ctx, chunked, false);
    }

    /**
     * As {@link #writeTo(ChannelHandlerContext, boolean)}; with {@code fromFile}, when this part has a file, as one
     * region of it (one {@code sendfile} per client). Only for a channel whose transport sends a
     * {@link io.netty.channel.DefaultFileRegion} with sendfile and with nothing in the pipeline that needs buffers (TLS).
     */
    void writeTo(ChannelHandlerContext ctx, boolean chunked, boolean fromFile) {
        if (fromFile && file != null) {
            int skip = chunked ? 0 : chunkPrefix;
            // The raw framing ends before the chunk's closing CRLF, the file's last two bytes.
            ctx.writeAndFlush(file.region(skip, wireLength(chunked)), ctx.voidPromise());
            return;
        }
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
        if (file != null) {
            file.release();
        }
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
