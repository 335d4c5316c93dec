package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.ClientAddress;
import io.mjpegserver.server.stream.RejectListener;
import io.mjpegserver.server.stream.StreamResponder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.feed.Feeds;
import io.mjpegserver.server.feed.Walls;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each request (400 malformed, 431 oversized headers, 414 overlong line, 505 a version other than
 * HTTP/1.x or HTTP/2, 400 an HTTP/1.1 request without exactly one Host, 405 wrong method, 400 a bad percent-escape,
 * 401 without credentials, 404 unknown path) and hands it to its endpoint. Stateless: one instance serves every
 * connection and every HTTP/2 stream (each stream's channel hands it the request as HTTP/1 messages).
 */
@ChannelHandler.Sharable
final class RequestRouter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

    private final IndexPage index = new IndexPage();
    private final Feeds feeds;
    private final Walls walls;
    private final SnapshotResponder snapshot;
    private final StreamResponder stream;
    private final StateResponder state;
    private final MetricsResponder metrics;
    private final HealthResponder health;
    private final BasicAuth auth;
    private final RejectedCredentials credentials = new RejectedCredentials();
    private final RejectListener rejects;
    private final FatalErrorHandler fatal;

    /**
     * @param auth  the credentials every endpoint requires, or {@code null}; {@code /healthz} answers without them,
     *              but only whether it is healthy
     * @param fatal told of an {@link Error} met while answering, which it must not survive
     */
    RequestRouter(Endpoints endpoints, BasicAuth auth, RejectListener rejects, FatalErrorHandler fatal) {
        this.feeds = endpoints.feeds();
        this.walls = endpoints.walls();
        this.snapshot = new SnapshotResponder();
        this.stream = endpoints.stream();
        this.state = new StateResponder(endpoints.state());
        this.metrics = new MetricsResponder(endpoints.metrics());
        this.health = new HealthResponder();
        this.auth = auth;
        this.rejects = rejects;
        this.fatal = fatal;
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
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            rejects.rejected("bad_request");
            log.debug("rejected request from {}: version {}", ClientAddress.of(ctx.channel()), version);
            // Answered in the newest version we speak, as RFC 9110 asks of a 505.
            Responses.send(ctx, null, Responses.error(null, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    version.text() + " is not supported; use HTTP/1.1 or HTTP/1.0"), true);
            return;
        }
        // Over HTTP/2 the host is the optional :authority, which the stream codec turns into a Host.
        if (HttpVersion.HTTP_1_1.equals(version) && !Http2Connections.isStream(ctx)
                && request.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            rejectBadRequest(ctx, request, "an HTTP/1.1 request needs exactly one Host header");
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
        RequestTarget target = RequestTarget.parse(request.uri());
        if (target == null) {
            rejectBadRequest(ctx, request, "the request target is not a valid path (bad percent-escape?)");
            return;
        }
        Route.Routed routed = Route.of(target.uri());
        Route route = routed.route();
        boolean authorized = auth == null || auth.accepts(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (!authorized && route != Route.HEALTHZ) {
            rejects.rejected("unauthorized");
            if (request.headers().contains(HttpHeaderNames.AUTHORIZATION)) {
                credentials.rejected(address(ctx), method + " " + target.path(), System.nanoTime());
            } else {
                // A browser or an NVR asks without credentials first, and again with them after the 401.
                log.debug("rejected request from {}: {} {} without credentials (401)", ClientAddress.of(ctx.channel()),
                        method, target.path());
            }
            FullHttpResponse response = Responses.error(request, HttpResponseStatus.UNAUTHORIZED, "credentials required");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, BasicAuth.CHALLENGE);
            Responses.send(ctx, request, response, false);
            return;
        }
        Feed feed = routed.feed() == null ? feeds.defaultFeed() : feeds.get(routed.feed());
        if (feed == null && routed.feed() != null) {
            feeds.missed(routed.feed());
            // The list of feeds is for those who may see them: a probe without credentials learns none.
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.NOT_FOUND, "no such feed"
                    + (authorized ? ": " + routed.feed() + " (feeds: " + feeds.names() + ")" : "")), false);
            return;
        }
        if (feed == null && (route == Route.STREAM || route == Route.SNAPSHOT || route == Route.HEALTHZ)) {
            // An edge whose origin has not answered yet: nothing to serve, for now.
            feeds.missed(null);
            FullHttpResponse response = Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    authorized ? feeds.whyNone() : "no feeds");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            Responses.send(ctx, request, response, false);
            return;
        }
        switch (route) {
            case INDEX -> index.respond(ctx, request);
            case STREAM -> {
                ClientQuery.Stream query = query(ctx, request, target, ClientQuery::stream);
                ClientQuery.Size size = query == null ? null : query(ctx, request, target, ClientQuery::size);
                Feed served = size == null ? null : VariantRequests.serve(ctx, request, feed, size);
                if (served != null) {
                    try {
                        stream.respond(ctx, request, streamPath(target), served.broadcaster(), query.fps());
                    } finally {
                        letGo(feed, served);
                    }
                }
            }
            case SNAPSHOT -> {
                ClientQuery.Snapshot query = query(ctx, request, target, ClientQuery::snapshot);
                ClientQuery.Size size = query == null ? null : query(ctx, request, target, ClientQuery::size);
                Feed served = size == null ? null : VariantRequests.serve(ctx, request, feed, size);
                if (served != null) {
                    try {
                        snapshot.respond(ctx, request, served, query);
                    } finally {
                        letGo(feed, served);
                    }
                }
            }
            case WALL, WALL_SNAPSHOT -> {
                ClientQuery.WallQuery query = query(ctx, request, target, ClientQuery::wall);
                Feed wall = query == null ? null : WallRequests.serve(ctx, request, feeds, walls, query);
                if (wall != null) {
                    try {
                        if (route == Route.WALL) {
                            // The wall's rate is its fps: every client gets every tile frame.
                            stream.respond(ctx, request, target.path(), wall.broadcaster(), 0);
                        } else {
                            snapshot.respond(ctx, request, wall, ClientQuery.Snapshot.NEWEST);
                        }
                    } finally {
                        wall.capture().release();
                    }
                }
            }
            case STATE -> state.respond(ctx, request);
            case METRICS -> metrics.respond(ctx, request);
            case HEALTHZ -> health.respond(ctx, request, routed.feed() == null ? feeds.all() : List.of(feed), authorized);
            case NOT_FOUND -> Responses.send(ctx, request,
                    Responses.error(request, HttpResponseStatus.NOT_FOUND, "no such path: " + target.path()), false);
        }
    }

    /**
     * Lets go of the variant held for a request once answered: its stream session holds it from here, a snapshot
     * for the grace.
     */
    private static void letGo(Feed feed, Feed served) {
        if (served != feed) {
            served.capture().release();
        }
    }

    private interface QueryParser<T> {
        T parse(Map<String, List<String>> parameters) throws ClientQuery.BadQuery;
    }

    /** The checked query of a stream or snapshot, or {@code null} after answering 400 (the connection stays). */
    private <T> T query(ChannelHandlerContext ctx, HttpRequest request, RequestTarget target, QueryParser<T> parser) {
        try {
            return parser.parse(target.uri().parameters());
        } catch (ClientQuery.BadQuery bad) {
            rejects.rejected("bad_request");
            log.debug("rejected request from {}: {}", ClientAddress.of(ctx.channel()), bad.getMessage());
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.BAD_REQUEST, bad.getMessage()), false);
            return null;
        }
    }

    /** The path a stream client is counted under: mjpg-streamer's form keeps its action. */
    private static String streamPath(RequestTarget target) {
        String path = target.path();
        if (path.equals("/") || path.endsWith("/")) {
            return path + "?action=stream";
        }
        return path;
    }

    /** 400 for a request that parsed but makes no sense; the connection is closed, as nothing after it can be trusted. */
    private void rejectBadRequest(ChannelHandlerContext ctx, HttpRequest request, String why) {
        rejects.rejected("bad_request");
        log.debug("rejected request from {}: {}", ClientAddress.of(ctx.channel()), why);
        Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.BAD_REQUEST, why), true);
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
        log.debug("rejected request from {}: {}", ClientAddress.of(ctx.channel()), cause.toString());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (fatal.fatalIfError("event loop", cause)) {
            return;
        }
        if (cause instanceof DecoderException) {
            // Malformed requests come as a failed decoder result; this is the codec giving up on a connection,
            // e.g. more than its 128 requests pipelined ahead of their answers.
            rejects.rejected("bad_request");
            log.debug("closing {}: {}", ClientAddress.of(ctx.channel()), String.valueOf(cause.getCause()));
        } else if (!(cause instanceof IOException)) {
            log.warn("closing {} after unexpected error", ClientAddress.of(ctx.channel()), cause);
        }
        ctx.close();
    }

    /** The client's IP address without its port (a unix socket's clients share one, as {@link ClientAddress} names it). */
    private static String address(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
                ? remote.getAddress().getHostAddress() : ClientAddress.of(ctx.channel());
    }
}
