package io.mjpegserver.server.stream;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's MJPEG stream. Sits in front of the HTTP codec and owns the wire from the response head on:
 * it writes raw bytes (through TLS, when there is TLS) and swallows anything the client sends.
 *
 * <p>Skip policy: a part is written only while the channel is writable (water marks fitted to the part
 * size); otherwise it is skipped, and when the channel drains it gets the newest part, never a backlog.
 *
 * <p>Hold limit: a part written to the client must be taken by its socket within the client timeout, or the
 * client is closed. That bounds how long a stalled client pins a frame, whenever it stalled, so the frames
 * pinned by all stalled clients together are at most those published within one timeout (plus the check's
 * granularity: the next frame, or the one-second repeat), however many clients stall. {@link PartClock}
 * keeps the accounting.
 *
 * <p>Rate limit ({@code ?fps=N}): a new part is written only when its frame was captured at least 1/N s after
 * the slot of the one written before it; the slots advance by 1/N s from the first part, so the parts are
 * evenly spaced on the source's timeline and average N per second (a source slower than N gives every frame).
 * Capture time, not send time: it is the same on every loop, free of the loop's queueing jitter, so a client
 * at N gets a steady N whatever the load. Parts held back count as decimated, apart from skips; the
 * one-second repeat of a part the client already has is not held back. Every method runs on the channel's
 * event loop.
 */
final class StreamSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(StreamSession.class);
    private static final long FPS_WINDOW_NANOS = 1_000_000_000L;
    /** Floor of the high water mark, so tiny frames do not make every write flip the channel's writability. */
    static final int MIN_HIGH_WATER_MARK = 16 * 1024;

    private final Broadcaster broadcaster;
    private final LoopSessions loop;
    private final InetAddress address;
    private final MultipartFormat format;
    private final boolean chunked;
    private final String path;
    private final long timeoutNanos;
    /** The least capture-time distance between parts written, 0 for none ({@code ?fps=}). */
    private final long minIntervalNanos;
    private final double requestedFps;
    /** The capture time from which the next part may be written. */
    private long nextDueNanos;
    private boolean sentAny;
    private final FatalErrorHandler fatal;
    private final long connectedMillis = System.currentTimeMillis();
    private final long connectedNanos = System.nanoTime();
    private ChannelHandlerContext ctx;
    private String remote = "?";
    private final PartClock parts = new PartClock();
    private boolean ended;
    private boolean closing;
    private volatile long fpsWindowStart = connectedNanos;
    private long fpsWindowFrames;
    /** The part size the channel's water marks were last fitted to. */
    private int waterMarkBasis;

    // Written on the loop, read by /state and /metrics from any thread.
    private volatile long framesSent;
    private volatile long framesSkipped;
    private volatile long framesDecimated;
    private volatile long bytesSent;
    private volatile long lastSequence;
    private volatile double fps;

    StreamSession(Broadcaster broadcaster, LoopSessions loop, InetAddress address, MultipartFormat format, boolean chunked,
            String path, long timeoutNanos, double requestedFps, FatalErrorHandler fatal) {
        this.broadcaster = broadcaster;
        this.loop = loop;
        this.address = address;
        this.format = format;
        this.chunked = chunked;
        this.path = path;
        this.timeoutNanos = timeoutNanos;
        this.requestedFps = requestedFps;
        this.minIntervalNanos = requestedFps > 0 ? Math.round(1e9 / requestedFps) : 0;
        this.fatal = fatal;
    }

    InetAddress address() {
        return address;
    }

    /**
     * Sends the response head and the first delimiter, then joins the stream, which sends the newest frame.
     * {@code head} is written as given; Netty releases it.
     */
    void start(ChannelHandlerContext ctx, ByteBuf head) {
        this.ctx = ctx;
        Channel channel = ctx.channel();
        remote = String.valueOf(channel.remoteAddress());
        // From here the session reads (and drops) what the client sends, so a close is seen at once.
        channel.config().setAutoRead(true);
        parts.written(head.readableBytes(), System.nanoTime());
        ctx.write(head, ctx.voidPromise());
        ByteBuf preamble = format.preamble(chunked);
        parts.written(preamble.readableBytes(), System.nanoTime());
        ctx.writeAndFlush(preamble, ctx.voidPromise());
        broadcaster.started(this);
        log.info("client {} {} connected", remote, path);
        loop.join(this);
        if (!channel.isActive()) {
            // Gone before we were in place: no channelInactive will reach us, so give the slot back now.
            leave();
        }
    }

    /** Writes {@code part} if the socket can take it, else counts a skip. The caller keeps its reference. */
    void offer(Part part) {
        if (ended) {
            return;
        }
        Channel channel = ctx.channel();
        long now = System.nanoTime();
        if (closing) {
            return;
        }
        if (parts.oldestUntakenAge(pendingBytes(), now) > timeoutNanos) {
            // The channel goes inactive in a later task: until then, parts still come and must not count it twice.
            closing = true;
            log.info("client {} {} took no whole part for over {} ms: closing", remote, path, timeoutNanos / 1_000_000);
            broadcaster.timedOut();
            channel.close();
            return;
        }
        boolean repeat = sentAny && part.sequence() == lastSequence;
        if (!repeat && !due(part, now)) {
            framesDecimated++;
            return;
        }
        if (!channel.isWritable()) {
            framesSkipped++;
            return;
        }
        if (minIntervalNanos > 0 && !repeat) {
            // The next slot: one interval on from this one, or from this frame when the client fell behind (a
            // gap in the source, or skips), so a backlog of slots never comes out as a burst.
            nextDueNanos = sentAny && part.capturedNanos() - nextDueNanos < minIntervalNanos
                    ? nextDueNanos + minIntervalNanos : part.capturedNanos() + minIntervalNanos;
        }
        sentAny = true;
        int length = part.wireLength(chunked);
        fitWaterMarks(channel, length);
        // Book-keeping before the write: its flush can flip writability and call back into this session, which
        // must then see this part as sent (or it would send it twice).
        framesSent++;
        bytesSent += length;
        lastSequence = part.sequence();
        parts.written(length, now);
        fpsWindowFrames++;
        if (now - fpsWindowStart >= FPS_WINDOW_NANOS) {
            fps = fpsWindowFrames * 1e9 / (now - fpsWindowStart);
            fpsWindowStart = now;
            fpsWindowFrames = 0;
        }
        part.writeTo(ctx, chunked);
    }

    /**
     * Whether the rate limit lets {@code part} (new to this client) go now: captured in or after its slot, or
     * the slot passed a whole interval ago with nothing newer (a stalled source: the newest frame still goes).
     */
    private boolean due(Part part, long now) {
        return minIntervalNanos == 0 || !sentAny || part.capturedNanos() - nextDueNanos >= 0
                || now - nextDueNanos >= minIntervalNanos;
    }

    /**
     * Keeps the channel's water marks at half a part (high) and a quarter (low): once most of a part waits in
     * user space the channel turns unwritable and later parts are skipped, so a client never holds more than
     * about the newest frame beyond its socket buffer, whatever the resolution. Refitted only when the part
     * size moves by more than a quarter.
     */
    private void fitWaterMarks(Channel channel, int partLength) {
        if (Math.abs(partLength - waterMarkBasis) * 4 <= waterMarkBasis) {
            return;
        }
        waterMarkBasis = partLength;
        int high = Math.max(MIN_HIGH_WATER_MARK, partLength / 2);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            Part newest = loop.latest();
            if (newest != null && newest.sequence() != lastSequence && due(newest, System.nanoTime())) {
                offer(newest);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // A streaming client has nothing more to say; whatever it sends is dropped.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        leave();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        leave();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Error error = FatalErrorHandler.errorIn(cause);
        if (error != null) {
            fatal.fatal("event loop " + Thread.currentThread().getName(), error);
            return;
        }
        if (!(cause instanceof IOException)) {
            log.warn("client {} {}: closing after unexpected error", remote, path, cause);
        }
        ctx.close();
    }

    /**
     * Ends the stream cleanly (server shutdown): the last chunk for HTTP/1.1, then close once everything written
     * has gone out (HTTP/1.0 ends with the connection, so closing before that would cut its last part).
     *
     * @return the channel's close future, or {@code null} when the session had already ended
     */
    ChannelFuture end() {
        if (ended || ctx == null) {
            return null;
        }
        leave();
        ByteBuf last = chunked ? format.lastChunk() : Unpooled.EMPTY_BUFFER;
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        return ctx.channel().closeFuture();
    }

    /** Bytes written to this client and not yet taken by its socket. */
    private long pendingBytes() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes();
    }

    private void leave() {
        if (ended || ctx == null) {
            return;
        }
        ended = true;
        loop.leave(this);
        SessionStats stats = stats();
        broadcaster.ended(this, stats);
        log.info("client {} {} disconnected after {} ms: {} frames, {} skipped, {} decimated", remote, path,
                (System.nanoTime() - connectedNanos) / 1_000_000, stats.framesSent(), stats.framesSkipped(),
                stats.framesDecimated());
    }

    SessionStats stats() {
        long pending = ctx == null ? 0 : pendingBytes();
        long sinceWindow = System.nanoTime() - fpsWindowStart;
        // A client that stopped receiving shows 0 fps rather than its last rate.
        double current = sinceWindow > 2 * FPS_WINDOW_NANOS ? 0 : fps;
        return new SessionStats(remote, path, connectedMillis, framesSent, framesSkipped, bytesSent, pending,
                lastSequence, current, requestedFps, framesDecimated);
    }
}
