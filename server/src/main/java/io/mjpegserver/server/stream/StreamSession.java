package io.mjpegserver.server.stream;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's MJPEG stream, at the front of its pipeline from the response head on (behind TLS; an HTTP/2
 * stream's own channel): {@link DeliveryPolicy} decides what the client gets, its {@link StreamWire} frames it
 * for the protocol, and what the client sends is dropped. Every method runs on the channel's event loop.
 */
final class StreamSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(StreamSession.class);
    private static final VarHandle FRAMES_SENT = counter("framesSent", long.class);
    private static final VarHandle FRAMES_SKIPPED = counter("framesSkipped", long.class);
    private static final VarHandle FRAMES_DECIMATED = counter("framesDecimated", long.class);
    private static final VarHandle BYTES_SENT = counter("bytesSent", long.class);
    private static final VarHandle LAST_SEQUENCE = counter("lastSequence", long.class);
    private static final VarHandle FPS = counter("fps", double.class);
    private static final VarHandle FPS_WINDOW_START = counter("fpsWindowStart", long.class);
    private static final long FPS_WINDOW_NANOS = 1_000_000_000L;
    /** Floor of the high water mark: Netty's default. */
    private static final int MIN_HIGH_WATER_MARK = 64 * 1024;

    private final Broadcaster broadcaster;
    private final LoopSessions loop;
    private final InetAddress address;
    private final StreamWire wire;
    private final String path;
    private final long timeoutNanos;
    private final DeliveryPolicy policy;
    private final double requestedFps;
    private final FatalErrorHandler fatal;
    private final long connectedMillis = System.currentTimeMillis();
    private final long connectedNanos = System.nanoTime();
    private final Runnable taken = this::taken;
    private final Runnable takenSoon = this::takenSoon;
    private ChannelHandlerContext ctx;
    private String remote = "?";
    /** When the last write was made: while it is not wholly taken, it is the only one outstanding. */
    private long lastWriteNanos;
    /** The part of that write while the client has not been seen to take it (pinned on the loop), else null. */
    private Part outstanding;
    private boolean ended;
    private boolean closing;
    /** A skip asked the wire to say when the client has taken what it was sent, and it has not said yet. */
    private boolean waitingForTaken;
    /** The sequence of the last part counted as skipped, so a part offered again is not counted twice. */
    private long lastSkipped = -1;
    private long fpsWindowFrames;
    /** The part size the channel's water marks were last fitted to. */
    private int waterMarkBasis;
    // Written on the loop, read by /state and /metrics from any thread: opaque stores, through the VarHandles
    // above, not volatile ones. Each is a plain store (no fence on the hot path, where a session is offered every
    // frame), in this object, whose cache line the offer has just read; yet a reader on another thread never sees
    // a torn value, nor a counter go backwards. It may see one counter a frame ahead of another.
    private long framesSent;
    private long framesSkipped;
    private long framesDecimated;
    private long bytesSent;
    private long lastSequence;
    private double fps;
    private long fpsWindowStart;

    StreamSession(Broadcaster broadcaster, LoopSessions loop, InetAddress address, StreamWire wire, String path,
            long timeoutNanos, double requestedFps, FatalErrorHandler fatal) {
        this.broadcaster = broadcaster;
        this.loop = loop;
        this.address = address;
        this.wire = wire;
        this.path = path;
        this.timeoutNanos = timeoutNanos;
        this.requestedFps = requestedFps;
        this.policy = new DeliveryPolicy(requestedFps);
        this.fatal = fatal;
        FPS_WINDOW_START.setOpaque(this, connectedNanos);
    }

    private static VarHandle counter(String field, Class<?> type) {
        try {
            return MethodHandles.lookup().findVarHandle(StreamSession.class, field, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    InetAddress address() {
        return address;
    }

    /** Sends the response head and the first delimiter, then joins the stream, which sends the newest frame. */
    void start(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel channel = ctx.channel();
        remote = ClientAddress.of(channel);
        // From here the session reads (and drops) what the client sends, so a close is seen at once.
        channel.config().setAutoRead(true);
        wire.open(ctx);
        lastWriteNanos = System.nanoTime();
        broadcaster.started(this);
        log.info("client {} {} connected over {}", remote, path, wire.protocol());
        loop.join(this);
        if (!channel.isActive()) {
            // Gone before we were in place: no channelInactive will reach us, so give the slot back now.
            leave();
        }
    }

    /**
     * Writes {@code part} if the client took all it was sent, else counts a skip: a client holds at most one part
     * beyond its socket (its stream's window), and that one write is all there is to time. Untaken past the client
     * timeout, or pinning a part older than the budget's cutoff, the client is closed (over HTTP/2 its stream is
     * reset). {@code now}: the loop's {@link System#nanoTime()}; the caller keeps its reference.
     */
    void offer(Part part, long now) {
        if (ended || closing) {
            return;
        }
        boolean allTaken = wire.allTaken(ctx);
        if (allTaken) {
            if (outstanding != null) {
                loop.unpin(outstanding);
                outstanding = null;
            }
        } else if (now - lastWriteNanos > timeoutNanos) {
            // The channel goes inactive in a later task: until then, parts still come and must not count it twice.
            closing = true;
            log.info("client {} {} took no whole part for over {} ms: closing", remote, path, timeoutNanos / 1_000_000);
            broadcaster.timedOut();
            ctx.channel().close();
            return;
        } else if (outstanding != null && outstanding.sequence() < loop.cutoff()) {
            closing = true;
            log.info("client {} {} holds frame {}, beyond the feed's memory budget: closing", remote, path,
                    outstanding.sequence());
            broadcaster.overBudget();
            ctx.channel().close();
            return;
        }
        switch (policy.decide(part, allTaken, now)) {
            case DECIMATE -> FRAMES_DECIMATED.setOpaque(this, framesDecimated + 1);
            case SKIP -> skip(part);
            case SEND -> {
                if (wire.reserve(ctx, part.length())) {
                    send(part, now);
                } else {
                    // Its connection holds all it may unsent (its other streams): a later part is tried afresh.
                    countSkip(part);
                }
            }
        }
    }

    private void skip(Part part) {
        countSkip(part);
        if (!waitingForTaken) {
            waitingForTaken = true;
            wire.whenTaken(ctx, takenSoon);
        }
    }

    private void countSkip(Part part) {
        if (part.sequence() != lastSkipped) {
            lastSkipped = part.sequence();
            FRAMES_SKIPPED.setOpaque(this, framesSkipped + 1);
        }
    }

    /**
     * Called by the wire from inside the write path (a promise's completion, before the channel has counted the
     * write as gone): the rest runs in a task of its own, once the write path is done with its book-keeping.
     */
    private void takenSoon() {
        ctx.channel().eventLoop().execute(taken);
    }

    /** The client took everything it was sent after a skip: the newest part goes at once, if it is due. */
    private void taken() {
        waitingForTaken = false;
        Part newest = loop.latest();
        long now = System.nanoTime();
        if (policy.wantsOnDrain(newest, now)) {
            offer(newest, now);
        }
    }

    private void send(Part part, long now) {
        fitWaterMarks(part.length());
        // Book-keeping before the write: its flush can complete a wait for the client to take what it was sent
        // and call back into this session, which must then see this part as sent (or it would send it twice).
        policy.sent(part);
        FRAMES_SENT.setOpaque(this, framesSent + 1);
        LAST_SEQUENCE.setOpaque(this, part.sequence());
        fpsWindowFrames++;
        if (now - fpsWindowStart >= FPS_WINDOW_NANOS) {
            FPS.setOpaque(this, fpsWindowFrames * 1e9 / (now - fpsWindowStart));
            FPS_WINDOW_START.setOpaque(this, now);
            fpsWindowFrames = 0;
        }
        if (outstanding != null) {
            loop.unpin(outstanding);
        }
        outstanding = part;
        loop.pin(part);
        int length = wire.write(ctx, part);
        BYTES_SENT.setOpaque(this, bytesSent + length);
        lastWriteNanos = now;
        wire.flush(ctx, loop);
    }

    /** Flushes what was written (the response head, when no part went with it): over HTTP/2, the connection. */
    void flush() {
        if (!ended && !closing) {
            wire.flush(ctx, loop);
        }
    }

    /**
     * Keeps the channel's high water mark at two parts and the low one at one: a client is written to only
     * when it has nothing pending, so its writability never flips on the way of a part. Refitted only when the
     * part size moves by more than a quarter.
     */
    private void fitWaterMarks(int partLength) {
        if (Math.abs(partLength - waterMarkBasis) * 4 <= waterMarkBasis) {
            return;
        }
        waterMarkBasis = partLength;
        int high = Math.max(MIN_HIGH_WATER_MARK, 2 * partLength);
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
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
        if (fatal.fatalIfError("event loop", cause)) {
            return;
        }
        if (!(cause instanceof IOException)) {
            log.warn("client {} {}: closing after unexpected error", remote, path, cause);
        }
        ctx.close();
    }

    /**
     * Ends the stream cleanly (server shutdown): the last chunk for HTTP/1.1, the end of the stream for HTTP/2,
     * then close once everything written has gone out (HTTP/1.0 ends with the connection, so closing before that
     * would cut its last part).
     *
     * @return the channel's close future, or {@code null} when the session had already ended
     */
    ChannelFuture end() {
        if (ended || ctx == null) {
            return null;
        }
        leave();
        return wire.end(ctx);
    }

    /** Bytes written to this client and not yet taken by its socket (its stream). */
    private long pendingBytes() {
        return wire.pending(ctx);
    }

    private void leave() {
        if (ended || ctx == null) {
            return;
        }
        ended = true;
        loop.leave(this);
        if (outstanding != null) {
            // Closed or ended: the channel has let go of the part's buffers, or does in this close.
            loop.unpin(outstanding);
            outstanding = null;
        }
        SessionStats stats = stats();
        broadcaster.ended(this, stats);
        log.info("client {} {} disconnected after {} ms: {} frames, {} skipped, {} decimated", remote, path,
                (System.nanoTime() - connectedNanos) / 1_000_000, stats.framesSent(), stats.framesSkipped(),
                stats.framesDecimated());
    }

    SessionStats stats() {
        long pending = ctx == null ? 0 : pendingBytes();
        long sinceWindow = System.nanoTime() - (long) FPS_WINDOW_START.getOpaque(this);
        // A client that stopped receiving shows 0 fps rather than its last rate.
        double current = sinceWindow > 2 * FPS_WINDOW_NANOS ? 0 : (double) FPS.getOpaque(this);
        return new SessionStats(remote, path, wire.protocol(), connectedMillis, (long) FRAMES_SENT.getOpaque(this),
                (long) FRAMES_SKIPPED.getOpaque(this), (long) BYTES_SENT.getOpaque(this), pending,
                (long) LAST_SEQUENCE.getOpaque(this), current, requestedFps, (long) FRAMES_DECIMATED.getOpaque(this));
    }
}
