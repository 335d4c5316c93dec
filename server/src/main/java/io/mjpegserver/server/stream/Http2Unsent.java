package io.mjpegserver.server.stream;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what one HTTP/2 connection holds unsent, counting each DATA frame from its write until the socket took
 * it: in bytes, per connection and in all ({@link Http2UnsentTotal}; a stream's part is given room before it is
 * written, or skipped; other DATA over it resets its stream), in time per stream (no progress for the client
 * timeout: reset) and per connection (unwritable that long: closed).
 * Confined to the connection's event loop, but for the shared total.
 */
public final class Http2Unsent extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(Http2Unsent.class);

    /** Netty's default high water mark, the least a connection gets. */
    private static final int MIN_HIGH_WATER_MARK = 64 * 1024;

    private final Http2UnsentTotal total;
    private final long timeoutNanos;
    private final RejectListener rejects;
    private final IntObjectMap<StreamUnsent> streams = new IntObjectHashMap<>();
    /** DATA bytes written on this connection and not yet written to the socket or dropped. */
    private long unsent;
    /** Room taken by {@link #reserve} for the part a stream is writing, in the total too; its DATA uses it up. */
    private long reserved;
    /** When the socket last became unwritable; 0 while it is writable. */
    private long unwritableSince;
    /** When the socket last took some of this connection's DATA. */
    private long lastSentNanos;
    private ScheduledFuture<?> check;
    private boolean closed;

    /** What one stream holds unsent, and since when it made no progress. */
    private static final class StreamUnsent {
        final Http2FrameStream stream;
        long bytes;
        long since;

        StreamUnsent(Http2FrameStream stream) {
            this.stream = stream;
        }
    }

    /**
     * @param total        the bound over all connections, shared by them; its {@link Http2UnsentTotal#perConnection}
     *                     bounds this one
     * @param timeoutNanos how long a stream (the socket) may make no progress before it is reset (closed)
     * @param rejects      told of each stream reset and connection closed here: {@code unsent_bound} for a stream
     *                     whose DATA would go over a bound, {@code client_timeout} for one that made no progress
     */
    public Http2Unsent(Http2UnsentTotal total, long timeoutNanos, RejectListener rejects) {
        this.total = total;
        this.timeoutNanos = timeoutNanos;
        this.rejects = rejects;
    }

    /**
     * Takes room for a part of {@code length} bytes that a stream writes at once, if it fits in this connection's
     * bound and in the bound over all connections. On the loop, per client per part: a stream that finds no room
     * skips the part, as an HTTP/1.1 client does. Its DATA frames then use the room up, so a part that was given
     * room is never refused at the write because another loop wrote meanwhile; {@link #settle} gives back what the
     * write did not use.
     */
    boolean reserve(int length) {
        if (closed || unsent + reserved + length > total.perConnection() || !total.reserve(length)) {
            return false;
        }
        reserved += length;
        return true;
    }

    /** The write that {@link #reserve} took room for is done: what its DATA did not use goes back. */
    void settle() {
        if (reserved > 0) {
            total.release(reserved);
            reserved = 0;
        }
    }

    /**
     * Raises the connection's write buffer water marks to a quarter of its unsent bound: Netty's flow controller
     * hands the socket at most what fits below the high mark per pass over the streams, so at the default 64 KiB
     * fifty streams' parts take some forty passes, each flipping the connection's writability, instead of one.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        int high = (int) Math.max(MIN_HIGH_WATER_MARK, Math.min(Integer.MAX_VALUE, total.perConnection() / 4));
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Http2DataFrame frame) || frame.stream() == null) {
            ctx.write(msg, promise);
            return;
        }
        int bytes = frame.content().readableBytes() + frame.padding();
        if (bytes == 0) {
            ctx.write(msg, promise);
            return;
        }
        Http2FrameStream stream = frame.stream();
        if (bytes <= reserved) {
            reserved -= bytes;
        } else if (closed || unsent + reserved + bytes > total.perConnection() || !total.reserve(bytes)) {
            // Released here: the frame goes no further.
            ReferenceCountUtil.release(frame);
            promise.tryFailure(new Http2UnsentException(closed ? "the connection is closed"
                    : "the connection holds " + unsent + " bytes unsent (expected: at most " + total.perConnection()
                            + " on one connection, " + total.max() + " on all)"));
            if (!closed) {
                log.debug("HTTP/2 connection {}: stream {} would go over the unsent bound: resetting it",
                        ctx.channel().remoteAddress(), stream.id());
                rejects.rejected("unsent_bound");
                reset(ctx, stream, Http2Error.ENHANCE_YOUR_CALM);
            }
            return;
        }
        unsent += bytes;
        long now = System.nanoTime();
        StreamUnsent held = streams.get(stream.id());
        if (held == null) {
            held = new StreamUnsent(stream);
            streams.put(stream.id(), held);
        }
        if (held.bytes == 0) {
            held.since = now;
        }
        held.bytes += bytes;
        ChannelPromise counted = promise.unvoid();
        counted.addListener(f -> sent(stream.id(), bytes, f.isSuccess()));
        ctx.write(msg, counted);
        armCheck(ctx);
    }

    /**
     * {@code bytes} of stream {@code id} went to the socket ({@code taken}) or were dropped: they leave the counts and
     * the stream is no longer waiting on them. Only bytes the socket took show that the connection is not stalled.
     */
    private void sent(int id, int bytes, boolean taken) {
        long now = System.nanoTime();
        if (taken) {
            lastSentNanos = now;
        }
        if (!closed) {
            unsent -= bytes;
            total.release(bytes);
        }
        StreamUnsent held = streams.get(id);
        if (held != null) {
            held.bytes -= bytes;
            held.since = now;
            if (held.bytes <= 0) {
                streams.remove(id);
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            unwritableSince = 0;
        } else if (unwritableSince == 0) {
            unwritableSince = System.nanoTime();
            armCheck(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void armCheck(ChannelHandlerContext ctx) {
        if (check == null && !closed) {
            long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(20), timeoutNanos / 4);
            check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), tick, tick, TimeUnit.NANOSECONDS);
        }
    }

    /** Resets the streams that made no progress for the timeout; closes the connection when its socket did not. */
    private void check(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        // Unwritable is not stalled: a client reading slower than the feed keeps a large write buffer above its low
        // mark for long, while the socket still takes DATA.
        if (unwritableSince != 0 && now - Math.max(unwritableSince, lastSentNanos) > timeoutNanos
                && ctx.channel().isActive()) {
            log.debug("closing HTTP/2 connection {}: its socket took nothing for {} ms", ctx.channel().remoteAddress(),
                    timeoutNanos / 1_000_000);
            rejects.rejected("client_timeout");
            ctx.close();
            return;
        }
        List<StreamUnsent> stalled = null;
        for (StreamUnsent held : streams.values()) {
            if (held.bytes > 0 && now - held.since > timeoutNanos) {
                if (stalled == null) {
                    stalled = new ArrayList<>();
                }
                stalled.add(held);
            }
        }
        if (stalled != null) {
            for (StreamUnsent held : stalled) {
                streams.remove(held.stream.id());
                log.debug("HTTP/2 connection {}: stream {} took nothing for {} ms: resetting it",
                        ctx.channel().remoteAddress(), held.stream.id(), timeoutNanos / 1_000_000);
                rejects.rejected("client_timeout");
                reset(ctx, held.stream, Http2Error.CANCEL);
            }
        }
        if (streams.isEmpty() && unwritableSince == 0 && check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private static void reset(ChannelHandlerContext ctx, Http2FrameStream stream, Http2Error error) {
        if (stream.state().localSideOpen() || stream.state().remoteSideOpen()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(error).stream(stream), ctx.voidPromise());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        close();
    }

    /** Gives this connection's share of the total back at once; what completes later counts no more. */
    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        total.release(unsent + reserved);
        unsent = 0;
        reserved = 0;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    /**
     * Why a DATA frame was not written: an I/O failure to its stream (which then closes), as a write to a closed
     * stream is, so nothing logs it as a bug.
     */
    static final class Http2UnsentException extends IOException {
        Http2UnsentException(String message) {
            super(message, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
