package io.mjpegserver.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;

/**
 * A stream over HTTP/1.x, written as raw bytes in front of the (removed) HTTP codec: through TLS when there
 * is TLS. HTTP/1.1 carries each part as exactly one chunk; HTTP/1.0 sends the bare multipart body and ends it
 * by closing. A part is one buffer when it was framed in the JPEG's room, else three (chunk line and fields,
 * JPEG, delimiter); one flush: one write.
 */
final class Http1Wire implements StreamWire {

    private final MultipartFormat format;
    private final boolean chunked;
    private final ByteBuf head;
    /**
     * False once everything flushed was seen taken, read right after the flush while the channel's outbound
     * buffer is still in the cache: then the next frame's question costs no read of it. Pending bytes only go
     * down between our writes, so once false it stays so until the next write, which sets it again.
     */
    private boolean mayHavePending = true;
    private ChannelPromise voidPromise;

    /** @param head the response head's constant bytes, for this version */
    Http1Wire(MultipartFormat format, boolean chunked, ByteBuf head) {
        this.format = format;
        this.chunked = chunked;
        this.head = head;
    }

    @Override
    public String protocol() {
        return chunked ? "HTTP/1.1" : "HTTP/1.0";
    }

    @Override
    public void open(ChannelHandlerContext ctx) {
        // The channel's void promise, kept: asking the channel for it on every write costs a read of the channel.
        voidPromise = ctx.voidPromise();
        ctx.write(head.duplicate(), voidPromise);
        ctx.writeAndFlush(format.preamble(chunked), voidPromise);
        mayHavePending = pending(ctx) != 0;
    }

    @Override
    public int write(ChannelHandlerContext ctx, Part part) {
        ByteBuf whole = part.retainedWhole(chunked);
        if (whole != null) {
            int length = whole.readableBytes();
            ctx.write(whole, voidPromise);
            return length;
        }
        ByteBuf fields = chunked ? part.retainedChunkLineAndFields() : part.retainedFields();
        ByteBuf tail = format.tail(chunked);
        int length = fields.readableBytes() + part.length() - format.delimiterLength() + tail.readableBytes();
        ctx.write(fields, voidPromise);
        ctx.write(part.retainedJpeg(), voidPromise);
        ctx.write(tail, voidPromise);
        return length;
    }

    @Override
    public void flush(ChannelHandlerContext ctx, LoopSessions loop) {
        ctx.flush();
        mayHavePending = pending(ctx) != 0;
    }

    @Override
    public boolean allTaken(ChannelHandlerContext ctx) {
        if (mayHavePending && pending(ctx) == 0) {
            mayHavePending = false;
        }
        return !mayHavePending;
    }

    @Override
    public long pending(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes();
    }

    /**
     * An empty write behind what is pending: the outbound buffer completes writes in order, so its promise
     * completes when the socket (through TLS, when there is TLS) has taken every byte written before it.
     */
    @Override
    public void whenTaken(ChannelHandlerContext ctx, Runnable taken) {
        mayHavePending = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> taken.run());
    }

    @Override
    public ChannelFuture end(ChannelHandlerContext ctx) {
        ByteBuf last = chunked ? format.lastChunk() : Unpooled.EMPTY_BUFFER;
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        return ctx.channel().closeFuture();
    }
}
