package io.mjpegserver.capture.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a relay connection: hands what the HTTP codec decoded to the {@link RelaySession}, and
 * turns every exception, close, stall and failed handshake into the session's one report; an {@link Error}
 * (thrown here, by the codec or by the sink) goes to the fatal handler instead. Releases every
 * message it reads (the session copies the bytes it keeps); nothing it is given escapes to the event loop.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private final RelaySession session;

    RelayHandler(RelaySession session) {
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        session.connected(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!session.isCurrent(ctx.channel())) {
                return;
            }
            if (msg instanceof HttpResponse response) {
                session.response(response);
            }
            if (msg instanceof HttpContent content && session.isCurrent(ctx.channel())) {
                session.content(content);
            }
        } catch (RelayException e) {
            session.fail(e.getMessage());
        } catch (RuntimeException e) {
            session.fail(e);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.disconnected(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            session.idle(ctx.channel());
        } else if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()
                && session.isCurrent(ctx.channel())) {
            session.fail(handshake.cause());
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (session.fatalIfError(cause)) {
            return;
        }
        if (session.isCurrent(ctx.channel())) {
            session.fail(cause);
        } else {
            ctx.close();
        }
    }
}
