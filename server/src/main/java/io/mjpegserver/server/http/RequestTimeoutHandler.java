package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that does not complete its request headers in time (slowloris), or that idles too
 * long between keep-alive requests: 408, then close. Armed when the connection opens and after each
 * response; disarmed when a request's headers are complete. Gone once a stream starts.
 */
final class RequestTimeoutHandler extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private final RejectListener rejects;
    private ScheduledFuture<?> timeout;

    RequestTimeoutHandler(long timeoutNanos, RejectListener rejects) {
        this.timeoutNanos = timeoutNanos;
        this.rejects = rejects;
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
            disarm();
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
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timeout = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timeout = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        rejects.rejected("request_timeout");
        ctx.writeAndFlush(Responses.error(null, HttpResponseStatus.REQUEST_TIMEOUT, "no complete request in time"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
