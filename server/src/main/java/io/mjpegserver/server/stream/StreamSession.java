package io.mjpegserver.server.stream;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's MJPEG stream: decides what the client gets ({@link DeliveryPolicy}: skip, rate, repeat) and
 * hands it to its {@link StreamWire}, which frames it for the protocol (HTTP/1.1 chunked, HTTP/1.0 raw, HTTP/2
 * DATA). Sits at the front of its pipeline (behind TLS, when there is TLS; an HTTP/2 stream's own channel) and
 * owns the wire from the response head on: the request handlers are gone, and anything the client sends is
 * dropped.
 *
 * <p>Water marks are fitted to the part size, so a client never holds more than about the newest frame beyond
 * its socket buffer (or its stream's window), whatever the resolution.
 *
 * <p>Hold limit: a part written to the client must be taken by its socket (its stream) within the client
 * timeout, or the client is closed (over HTTP/2: its stream is reset, and the connection's other streams go
 * on). That bounds how long a stalled client pins a frame, whenever it stalled, so the frames pinned by all
 * stalled clients together are at most those published within one timeout (plus the check's granularity: the
 * next frame, or the one-second repeat), however many clients stall. {@link PartClock} keeps the accounting.
 * Every method runs on the channel's event loop.
 */
final class StreamSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(StreamSession.class);
    private static final long FPS_WINDOW_NANOS = 1_000_000_000L;
    /** Floor of the high water mark, so tiny frames do not make every write flip the channel's writability. */
    static final int MIN_HIGH_WATER_MARK = 16 * 1024;

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
        parts.written(wire.open(ctx), System.nanoTime());
        broadcaster.started(this);
        log.info("client {} {} connected over {}", remote, path, wire.protocol());
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
        switch (policy.decide(part, channel.isWritable(), now)) {
            case DECIMATE -> framesDecimated++;
            case SKIP -> framesSkipped++;
            case SEND -> send(channel, part, now);
        }
    }

    private void send(Channel channel, Part part, long now) {
        fitWaterMarks(channel, part.length());
        // Book-keeping before the write: its flush can flip writability and call back into this session, which
        // must then see this part as sent (or it would send it twice).
        policy.sent(part);
        framesSent++;
        lastSequence = part.sequence();
        fpsWindowFrames++;
        if (now - fpsWindowStart >= FPS_WINDOW_NANOS) {
            fps = fpsWindowFrames * 1e9 / (now - fpsWindowStart);
            fpsWindowStart = now;
            fpsWindowFrames = 0;
        }
        int length = wire.write(ctx, part);
        bytesSent += length;
        parts.written(length, now);
        wire.flush(ctx, loop);
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
            if (policy.wantsOnDrain(newest, System.nanoTime())) {
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
        return new SessionStats(remote, path, wire.protocol(), connectedMillis, framesSent, framesSkipped, bytesSent, pending,
                lastSequence, current, requestedFps, framesDecimated);
    }
}
