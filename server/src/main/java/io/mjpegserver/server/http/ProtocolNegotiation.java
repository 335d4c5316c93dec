package io.mjpegserver.server.http;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind TLS: once the handshake is done, puts in the handlers of the protocol ALPN chose, {@code h2} or
 * {@code http/1.1} (also for a client that offered no ALPN). A failed handshake closes the connection
 * quietly; it says nothing about the server.
 */
final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {

    private static final Logger log = LoggerFactory.getLogger(ProtocolNegotiation.class);

    private final HttpServerInitializer http1;
    private final Http2Connections http2;
    private final FatalErrorHandler fatal;

    ProtocolNegotiation(HttpServerInitializer http1, Http2Connections http2, FatalErrorHandler fatal) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
        this.fatal = fatal;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.install(ctx.pipeline());
        } else {
            // A stream's part is one buffer of ring memory: each write is encrypted whole, into one buffer of 16 KB
            // records written once. SslHandler's default would hand it over in 16 KB slices, each with its own
            // buffer and write, and copy into one record what several small writes hold.
            ctx.pipeline().get(SslHandler.class).setWrapDataSize(0);
            http1.addHttp1(ctx.pipeline(), false);
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (fatal.fatalIfError("event loop", cause)) {
            return;
        }
        log.debug("closing {} during the TLS handshake: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
