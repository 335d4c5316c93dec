package io.mjpegserver.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A stream over HTTP/2: a HEADERS frame, then the bare multipart bytes (as HTTP/1.0 sends them) in DATA frames,
 * one per part framed in the JPEG's room, else three; Netty's flow controller fits them to the peer's window.
 * Bytes the stream has not taken are counted here: while its window or the connection holds a part back the
 * session skips this stream's frames, and the stream gets the newest part once the count is back to 0.
 */
final class Http2Wire implements StreamWire {

    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(Http2Wire.class, "pending", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MultipartFormat format;
    private final Http2Headers headers;
    /** Each part's fields go with the delimiter before its JPEG ({@link MultipartFormat#aheadTail()}). */
    private final boolean headersAhead;
    /** The connection's bound on what it holds unsent, or {@code null} outside an HTTP/2 connection (tests). */
    private Http2Unsent unsent;
    /**
     * Bytes written and not yet taken. Changed on the loop only, with opaque stores, as {@code /state} reads it
     * from any thread: a reader never sees a torn value.
     */
    private long pending;
    /** Runs once {@code pending} is back to 0; {@code null} when nobody waits. On the loop only. */
    private Runnable onTaken;

    /**
     * @param headers      the response head: {@code :status} and the stream's headers, used by this stream only
     * @param headersAhead whether each part's fields go with the delimiter before its JPEG, for a client that
     *                     reads them with blocking reads as soon as the part before ends (WebKit on libsoup)
     */
    Http2Wire(MultipartFormat format, Http2Headers headers, boolean headersAhead) {
        this.format = format;
        this.headers = headers;
        this.headersAhead = headersAhead;
    }

    @Override
    public String protocol() {
        return "HTTP/2";
    }

    @Override
    public void open(ChannelHandlerContext ctx) {
        Channel connection = ctx.channel().parent();
        unsent = connection == null ? null : connection.pipeline().get(Http2Unsent.class);
        ctx.write(new DefaultHttp2HeadersFrame(headers), ctx.voidPromise());
        ByteBuf preamble = headersAhead ? format.aheadPreamble() : format.preamble(false);
        ctx.writeAndFlush(new DefaultHttp2DataFrame(preamble), counted(ctx, preamble.readableBytes()));
    }

    @Override
    public int write(ChannelHandlerContext ctx, Part part) {
        try {
            return writeFrames(ctx, part);
        } finally {
            // The stream's frames reached the connection's pipeline within the writes, or failed before it.
            if (unsent != null) {
                unsent.settle();
            }
        }
    }

    private int writeFrames(ChannelHandlerContext ctx, Part part) {
        if (headersAhead) {
            ByteBuf jpeg = part.retainedJpeg();
            ByteBuf tail = format.aheadTail();
            int length = jpeg.readableBytes() + tail.readableBytes();
            ctx.write(new DefaultHttp2DataFrame(jpeg), ctx.voidPromise());
            ctx.write(new DefaultHttp2DataFrame(tail), counted(ctx, length));
            return length;
        }
        int length = part.length();
        ByteBuf whole = part.retainedWhole(false);
        if (whole != null) {
            ctx.write(new DefaultHttp2DataFrame(whole), counted(ctx, length));
            return length;
        }
        ctx.write(new DefaultHttp2DataFrame(part.retainedFields()), ctx.voidPromise());
        ctx.write(new DefaultHttp2DataFrame(part.retainedJpeg()), ctx.voidPromise());
        ctx.write(new DefaultHttp2DataFrame(format.tail(false)), counted(ctx, length));
        return length;
    }

    /**
     * The stream's frames are with its connection's codec already: the connection is flushed once, after the
     * loop offered the part to all of its streams, so fifty streams of one connection cost one flush (one
     * gathering write of all their frames), not fifty.
     */
    @Override
    public void flush(ChannelHandlerContext ctx, LoopSessions loop) {
        loop.flushAfterDelivery(ctx.channel().parent());
    }

    /** A promise for a write's last frame that counts the write's {@code length} as taken once it completes. */
    private ChannelPromise counted(ChannelHandlerContext ctx, int length) {
        PENDING.setOpaque(this, pending + length);
        ChannelPromise promise = ctx.newPromise();
        // Failed or not, the bytes have left the queue (a failed write ends the stream).
        promise.addListener(f -> {
            PENDING.setOpaque(this, pending - length);
            if (pending == 0 && onTaken != null) {
                Runnable waiting = onTaken;
                onTaken = null;
                waiting.run();
            }
        });
        return promise;
    }

    @Override
    public long pending(ChannelHandlerContext ctx) {
        return (long) PENDING.getOpaque(this);
    }

    @Override
    public boolean allTaken(ChannelHandlerContext ctx) {
        return pending == 0;
    }

    /**
     * Takes room on the connection for {@code length} more unsent bytes: when its streams together hold as much as
     * it may, or all connections do, this stream skips the part rather than add to it.
     */
    @Override
    public boolean reserve(ChannelHandlerContext ctx, int length) {
        return unsent == null || unsent.reserve(length);
    }

    @Override
    public void whenTaken(ChannelHandlerContext ctx, Runnable taken) {
        if (pending == 0) {
            taken.run();
        } else {
            onTaken = taken;
        }
    }

    @Override
    public ChannelFuture end(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultHttp2DataFrame(true)).addListener(ChannelFutureListener.CLOSE);
        return ctx.channel().closeFuture();
    }
}
