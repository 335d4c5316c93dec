package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Bounds the time between requests: armed when the connection opens and after each response, disarmed when a
 * request's headers are complete. On expiry a begun request (slowloris, seen by {@link #startWatch()} in front of
 * the codec) gets 408 and a close; an idle keep-alive is closed silently, as an unsolicited 408 would be read as
 * the answer to the client's next request. Gone once a stream starts.
 */
final class RequestTimeoutHandler extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private final RejectListener rejects;
    private final LoopTimer timeout = new LoopTimer();
    /** Bytes of a request arrived since the timer was armed. */
    private boolean requestBegun;
    /** A request has been read on this connection: it is a keep-alive connection now. */
    private boolean served;

    RequestTimeoutHandler(long timeoutNanos, RejectListener rejects) {
        this.timeoutNanos = timeoutNanos;
        this.rejects = rejects;
    }

    /** The handler that goes in front of the codec and tells this one when request bytes arrive. */
    ChannelHandler startWatch() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                requestBegun = true;
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            served = true;
            timeout.cancel();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            // The response is complete: the connection now waits for its next request.
            ctx.write(msg, promise.unvoid()).addListener(f -> {
                if (ctx.channel().isActive() && !ctx.isRemoved()) {
                    arm(ctx);
                }
            });
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timeout.cancel();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        requestBegun = false;
        timeout.schedule(ctx, () -> expire(ctx), timeoutNanos);
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (!requestBegun) {
            // An idle keep-alive connection ends quietly; one that never sent a byte is counted.
            if (!served) {
                rejects.rejected("request_timeout");
            }
            ctx.close();
            return;
        }
        rejects.rejected("request_timeout");
        ctx.writeAndFlush(Responses.error(null, HttpResponseStatus.REQUEST_TIMEOUT, "no complete request in time"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
