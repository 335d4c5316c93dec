package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.RejectListener;
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
 * Checks each request (400 malformed, 431 oversized headers, 414 overlong line, 405 wrong method, 401
 * without credentials, 404 unknown path) and hands it to its endpoint. Stateless: one instance serves every
 * connection.
 */
@ChannelHandler.Sharable
final class RequestRouter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

    private final IndexPage index = new IndexPage();
    private final SnapshotResponder snapshot;
    private final StreamResponder stream;
    private final StateResponder state;
    private final MetricsResponder metrics;
    private final HealthResponder health;
    private final BasicAuth auth;
    private final RejectListener rejects;

    /** @param auth the credentials every endpoint but {@code /healthz} requires, or {@code null} */
    RequestRouter(Endpoints endpoints, BasicAuth auth, RejectListener rejects) {
        this.snapshot = new SnapshotResponder(endpoints.ring());
        this.stream = endpoints.stream();
        this.state = new StateResponder(endpoints.state());
        this.metrics = new MetricsResponder(endpoints.metrics());
        this.health = new HealthResponder(endpoints.source());
        this.auth = auth;
        this.rejects = rejects;
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
            rejectMalformed(ctx, result.cause());
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
        Route route = Route.of(uri);
        if (auth != null && route != Route.HEALTHZ && !auth.accepts(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            rejects.rejected("unauthorized");
            FullHttpResponse response = Responses.error(request, HttpResponseStatus.UNAUTHORIZED, "credentials required");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, BasicAuth.CHALLENGE);
            Responses.send(ctx, request, response, false);
            return;
        }
        switch (route) {
            case INDEX -> index.respond(ctx, request);
            case STREAM -> stream.respond(ctx, request, uri.path().equals("/") ? "/?action=stream" : uri.path());
            case SNAPSHOT -> snapshot.respond(ctx, request);
            case STATE -> state.respond(ctx, request);
            case METRICS -> metrics.respond(ctx, request);
            case HEALTHZ -> health.respond(ctx, request);
            case NOT_FOUND -> Responses.send(ctx, request,
                    Responses.error(request, HttpResponseStatus.NOT_FOUND, "no such path: " + uri.path()), false);
        }
    }

    private void rejectMalformed(ChannelHandlerContext ctx, Throwable cause) {
        HttpResponseStatus status;
        if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            rejects.rejected("headers_too_large");
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            rejects.rejected("headers_too_large");
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            rejects.rejected("bad_request");
        }
        // A request we could not parse gives no version or keep-alive to trust: answer HTTP/1.1, then close.
        Responses.send(ctx, null, Responses.error(null, status, "malformed request"), true);
        log.debug("rejected request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException) && !(cause instanceof io.netty.handler.codec.DecoderException)) {
            log.warn("closing {} after unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
