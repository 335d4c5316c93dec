package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.ClientAddress;
import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure on the request side, behind Netty's {@code FlowControlHandler} with auto-read off: the next
 * request is read, in a task of its own, only once the last answer is complete and the socket takes what we
 * write. A client that pipelines without reading holds at most one answer beyond its socket buffer, and is
 * closed when it stays unwritable past the client timeout. Gone once a stream starts.
 */
final class RequestFlowHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(RequestFlowHandler.class);

    private final long unwritableTimeoutNanos;
    private final RejectListener rejects;
    /** Headers seen, last content not yet: the rest of the request (its body) is read and dropped. */
    private boolean requestOpen;
    /** A request is being answered and its last response part has not been written yet. */
    private boolean answering;
    private boolean readScheduled;
    private final LoopTimer unwritableTimer = new LoopTimer();

    /** @param unwritableTimeoutNanos how long the connection may stay unwritable before it is closed */
    RequestFlowHandler(long unwritableTimeoutNanos, RejectListener rejects) {
        this.unwritableTimeoutNanos = unwritableTimeoutNanos;
        this.rejects = rejects;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        if (ctx.channel().isActive()) {
            readNextLater(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readNextLater(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            answering = true;
            requestOpen = true;
        }
        if (msg instanceof LastHttpContent) {
            requestOpen = false;
        }
        ctx.fireChannelRead(msg);
        readNextLater(ctx);
    }

    /** A read cycle that brought no whole message (a request split across packets): ask for more. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        readNextLater(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            answering = false;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        readNextLater(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            unwritableTimer.cancel();
            readNextLater(ctx);
        } else if (!unwritableTimer.armed()) {
            unwritableTimer.schedule(ctx, () -> closeIfStillUnwritable(ctx), unwritableTimeoutNanos);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void closeIfStillUnwritable(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && !ctx.channel().isWritable()) {
            log.debug("closing {}: its answers were not read for {} ms", ClientAddress.of(ctx.channel()),
                    unwritableTimeoutNanos / 1_000_000);
            rejects.rejected("client_timeout");
            ctx.close();
        }
    }

    /** Asks for the next message in a task of its own, once, when the connection is ready for it. */
    private void readNextLater(ChannelHandlerContext ctx) {
        if (readScheduled || !ready(ctx)) {
            return;
        }
        readScheduled = true;
        ctx.executor().execute(() -> {
            readScheduled = false;
            if (ready(ctx)) {
                ctx.read();
            }
        });
    }

    /** The rest of an open request is always read (and dropped); a new request only when the last is answered. */
    private boolean ready(ChannelHandlerContext ctx) {
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return false;
        }
        return requestOpen || (!answering && ctx.channel().isWritable());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        unwritableTimer.cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        unwritableTimer.cancel();
        ctx.fireChannelInactive();
    }
}
