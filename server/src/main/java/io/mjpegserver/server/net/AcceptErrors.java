package io.mjpegserver.server.net;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * On the listening channel: an {@link Error} met while accepting goes to the fatal handler; anything else
 * (too many open files, say) goes on to Netty's acceptor, which pauses accepting for a second and goes on.
 */
@ChannelHandler.Sharable
public final class AcceptErrors extends ChannelInboundHandlerAdapter {

    private final FatalErrorHandler fatal;

    public AcceptErrors(FatalErrorHandler fatal) {
        this.fatal = fatal;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (fatal.fatalIfError("accept loop", cause)) {
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
