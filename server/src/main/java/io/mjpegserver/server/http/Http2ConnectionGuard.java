package io.mjpegserver.server.http;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over a connection that turned into HTTP/2, last in its pipeline: removes what is left of the HTTP/1
 * request phase, lets the connection read freely (Netty's HTTP/2 codec does the flow control), and closes it
 * (GOAWAY) when no stream has been open for the request timeout, as HTTP/1 closes an idle keep-alive. A
 * connection that never opened a stream is counted as a request timeout, like an HTTP/1 connection that never
 * sent a request. What each stream may do is bounded by its own limits (the codec's header size and stream
 * count, the stream session's hold limit).
 *
 * <p>Last in the pipeline, it also ends what the codec passes on of a connection's exceptions (the codec keeps
 * the HTTP/2 protocol's own): an {@link Error} goes to the fatal handler, a socket error (a client's reset)
 * closes the connection quietly, anything else is logged once and closes it.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

    private final long idleTimeoutNanos;
    private final RejectListener rejects;
    private final FatalErrorHandler fatal;
    private Http2Connection connection;
    private ScheduledFuture<?> idle;
    private boolean served;

    Http2ConnectionGuard(long idleTimeoutNanos, RejectListener rejects, FatalErrorHandler fatal) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.rejects = rejects;
        this.fatal = fatal;
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
                disarm();
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
        if (idle == null && ctx.channel().isActive()) {
            idle = ctx.executor().schedule(() -> expire(ctx), idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void disarm() {
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        idle = null;
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
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (fatal.fatalIfError("event loop", cause)) {
            return;
        }
        if (cause instanceof IOException) {
            log.debug("closing HTTP/2 connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("HTTP/2 connection {}: closing after unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
