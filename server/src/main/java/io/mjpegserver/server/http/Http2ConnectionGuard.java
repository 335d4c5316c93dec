package io.mjpegserver.server.http;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in an HTTP/2 connection's pipeline: removes what is left of HTTP/1, lets the codec do the flow control,
 * closes the connection (GOAWAY) when no stream has been open for the request timeout, and closes one that floods
 * SETTINGS or PING. It ends the connection's exceptions: an {@link Error} to the fatal handler, a client's reset
 * quietly, a protocol breach in a throttled line, anything else logged once.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

    private final long idleTimeoutNanos;
    /** SETTINGS and PING frames a client may send per window: a browser sends a few per minute. */
    static final int MAX_CONTROL_FRAMES = 100;
    static final long CONTROL_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RejectListener rejects;
    private final FatalErrorHandler fatal;
    private final ThrottledLog abuses;
    private Http2Connection connection;
    private long controlWindowStart = System.nanoTime();
    private int controlFrames;
    private final LoopTimer idle = new LoopTimer();
    private boolean served;

    /** @param abuses where closes for a client's abuse are told, shared by every connection */
    Http2ConnectionGuard(long idleTimeoutNanos, RejectListener rejects, FatalErrorHandler fatal, ThrottledLog abuses) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.rejects = rejects;
        this.fatal = fatal;
        this.abuses = abuses;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        // After an upgrade, what is left of HTTP/1 comes after the HTTP/2 handlers: out with it.
        Http2Connections.removeHttp1(pipeline);
        connection = pipeline.get(Http2FrameCodec.class).connection();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                served = true;
                idle.cancel();
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                arm(ctx);
            }
        });
        if (connection.numActiveStreams() == 0) {
            arm(ctx);
        } else {
            // Upgraded from HTTP/1.1: the upgrading request is stream 1.
            served = true;
        }
        ctx.channel().config().setAutoRead(true);
        ctx.read();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (!idle.armed() && ctx.channel().isActive()) {
            idle.schedule(ctx, () -> expire(ctx), idleTimeoutNanos);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        if (connection.numActiveStreams() > 0 || !ctx.channel().isActive()) {
            // A stream opened meanwhile; its close arms the timer again.
            return;
        }
        if (!served) {
            rejects.rejected("request_timeout");
        }
        log.debug("closing HTTP/2 connection {}: no stream for {} ms", ctx.channel().remoteAddress(),
                idleTimeoutNanos / 1_000_000);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        idle.cancel();
    }

    /**
     * Counts the SETTINGS and PING frames the client sends (the codec has answered them): more than
     * {@link #MAX_CONTROL_FRAMES} in {@link #CONTROL_WINDOW_NANOS} is a flood, and closes the connection.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame || msg instanceof Http2PingFrame ping && !ping.ack()) {
                long now = System.nanoTime();
                if (now - controlWindowStart > CONTROL_WINDOW_NANOS) {
                    controlWindowStart = now;
                    controlFrames = 0;
                }
                if (++controlFrames == MAX_CONTROL_FRAMES + 1) {
                    abuses.warn("closing HTTP/2 connection " + ctx.channel().remoteAddress() + ": over "
                            + MAX_CONTROL_FRAMES + " SETTINGS and PING frames in " + CONTROL_WINDOW_NANOS / 1_000_000_000L
                            + " s");
                    rejects.rejected("flood");
                    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM));
                    ctx.close();
                }
            }
        } finally {
            // The codec has acted on every frame that reaches here (acks sent, settings applied).
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (fatal.fatalIfError("event loop", cause)) {
            return;
        }
        if (cause instanceof IOException) {
            log.debug("closing HTTP/2 connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            Http2Exception http2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
            // The client broke the protocol or a flood limit (rapid reset, empty frames...): the codec closes the
            // connection with GOAWAY. One line now and then, whoever does it how often.
            if (http2.error() == Http2Error.ENHANCE_YOUR_CALM) {
                rejects.rejected("flood");
            }
            abuses.warn("closing HTTP/2 connection " + ctx.channel().remoteAddress() + ": " + http2.error() + ", "
                    + http2.getMessage());
            // The codec sends its GOAWAY with the error's code and closes; a close from here would say NO_ERROR.
            return;
        } else {
            log.warn("HTTP/2 connection {}: closing after unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
