package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.StreamResponder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each request (400 malformed, 431 oversized headers, 414 overlong line, 405 wrong method, 404
 * unknown path) and hands it to its endpoint. Stateless, so one instance serves every connection.
 */
@ChannelHandler.Sharable
final class RequestRouter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

    private final IndexPage index;
    private final SnapshotResponder snapshot;
    private final StreamResponder stream;

    RequestRouter(IndexPage index, SnapshotResponder snapshot, StreamResponder stream) {
        this.index = index;
        this.snapshot = snapshot;
        this.stream = stream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                route(ctx, request);
            }
            // Request bodies (and anything else) are not for us: released below.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void route(ChannelHandlerContext ctx, HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            rejectMalformed(ctx, request, result.cause());
            return;
        }
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse response = Responses.error(request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    method + " is not supported; use GET or HEAD");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            // The body, if any, is not read: close rather than resynchronise.
            Responses.send(ctx, request, response, true);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        switch (Route.of(uri)) {
            case INDEX -> index.respond(ctx, request);
            case STREAM -> stream.respond(ctx, request, uri.path());
            case SNAPSHOT -> snapshot.respond(ctx, request);
            case NOT_FOUND -> Responses.send(ctx, request,
                    Responses.error(request, HttpResponseStatus.NOT_FOUND, "no such path: " + uri.path()), false);
        }
    }

    private static void rejectMalformed(ChannelHandlerContext ctx, HttpRequest request, Throwable cause) {
        HttpResponseStatus status;
        if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
        }
        // A request we could not parse gives no version or keep-alive to trust: answer HTTP/1.1, then close.
        Responses.send(ctx, null, Responses.error(null, status, "malformed request"), true);
        log.debug("rejected request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            log.warn("closing {} after unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
