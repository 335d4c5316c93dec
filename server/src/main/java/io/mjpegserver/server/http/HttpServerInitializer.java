package io.mjpegserver.server.http;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.config.LimitsConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.stream.Http2UnsentTotal;
import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Builds each connection's pipeline; see {@link PipelineNames} for the order. */
public final class HttpServerInitializer extends ChannelInitializer<Channel> {

    /** Longest request line and total header size we accept; clients of a camera stream send a few hundred bytes. */
    public static final int MAX_INITIAL_LINE = 4096;
    public static final int MAX_HEADER_SIZE = 8192;

    private final RequestRouter router;
    private final ChannelGroup channels;
    private final SslContext ssl;
    private final CorsConfig cors;
    private final long requestTimeoutNanos;
    private final long clientTimeoutNanos;
    private final RejectListener rejects;
    private final Http2Connections http2;
    private final FatalErrorHandler fatal;
    /** New connections per address, or {@code null} for no limit. */
    private final ConnectionRate connectionRate;
    private final int maxConnectionRate;
    private final ThrottledLog refusals = new ThrottledLog(LoggerFactory.getLogger(HttpServerInitializer.class),
            ThrottledLog.INTERVAL_NANOS);

    /**
     * @param channels every accepted channel joins it, so shutdown can close them all
     * @param ssl      the TLS context, or {@code null} for plain HTTP
     * @param fatal    told of an {@link Error} met on a connection
     */
    public HttpServerInitializer(ServerConfig config, Endpoints endpoints, ChannelGroup channels, SslContext ssl,
            RejectListener rejects, FatalErrorHandler fatal) {
        this.router = new RequestRouter(endpoints, config.credentials() == null ? null : new BasicAuth(config.credentials()),
                rejects, fatal);
        this.channels = channels;
        this.ssl = ssl;
        String allowOrigin = config.streaming().allowOrigin();
        this.cors = allowOrigin == null ? null : cors(allowOrigin);
        LimitsConfig limits = config.limits();
        this.requestTimeoutNanos = limits.requestTimeout().toNanos();
        this.clientTimeoutNanos = limits.clientTimeout().toNanos();
        this.rejects = rejects;
        this.fatal = fatal;
        this.maxConnectionRate = limits.maxConnectionRate();
        this.connectionRate = maxConnectionRate > 0 ? new ConnectionRate(maxConnectionRate) : null;
        this.http2 = new Http2Connections(router, cors, maxConcurrentStreams(limits), requestTimeoutNanos,
                clientTimeoutNanos, Http2UnsentTotal.forDirectMemory(), rejects, fatal);
        if (ssl != null) {
            refuseClientRenegotiation();
        }
    }

    /**
     * A client may not start a TLS 1.2 renegotiation (each one costs us a handshake; TLS 1.3 has none). The JDK
     * reads this once, when its first server handshake loads, which is after this: nothing here has served TLS
     * before the initializer exists.
     */
    private static void refuseClientRenegotiation() {
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    }

    private static CorsConfig cors(String origin) {
        CorsConfigBuilder builder = "*".equals(origin) ? CorsConfigBuilder.forAnyOrigin() : CorsConfigBuilder.forOrigin(origin);
        return builder.allowedRequestMethods(HttpMethod.GET, HttpMethod.HEAD)
                .allowedRequestHeaders(HttpHeaderNames.AUTHORIZATION)
                .exposeHeaders("X-Timestamp", "X-Frame-Sequence", "X-Source-Online")
                .maxAge(600)
                // In place of Netty's defaults: its Date goes out quoted (its preflight headers are combined as a
                // comma-separated list, and a date has a comma). Like every other answer of ours, no Date at all.
                .preflightResponseHeader(HttpHeaderNames.CONTENT_LENGTH, "0")
                .build();
    }

    /**
     * What SETTINGS_MAX_CONCURRENT_STREAMS tells an HTTP/2 client: the tighter of {@code --max-clients} and
     * {@code --max-clients-per-address} (each stream is one client), plus room for the short requests a viewer
     * makes beside its streams (the page, {@code /state}, snapshots); at most {@link #MAX_STREAMS}.
     */
    static int maxConcurrentStreams(LimitsConfig config) {
        int limit = MAX_STREAMS;
        if (config.maxClients() > 0) {
            limit = Math.min(limit, config.maxClients() + SHORT_REQUEST_STREAMS);
        }
        if (config.maxClientsPerAddress() > 0) {
            limit = Math.min(limit, config.maxClientsPerAddress() + SHORT_REQUEST_STREAMS);
        }
        return limit;
    }

    /**
     * The most streams one HTTP/2 connection may have open, whatever the client limits: what the peers' servers
     * allow (100 to 256), enough for a viewer page of every feed, and few enough that one connection's streams
     * cannot pin a frame each from most of what the ring has published.
     */
    static final int MAX_STREAMS = 128;
    /** Streams beyond the client limit, for requests that are not streams. */
    static final int SHORT_REQUEST_STREAMS = 8;

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        if (connectionRate != null && ch.remoteAddress() instanceof InetSocketAddress remote
                && !connectionRate.admit(remote.getAddress())) {
            // Closed before a byte is read: a client reconnecting in a loop (a rapid-reset attack that comes back
            // when its connection is cut) costs an accept and a close.
            rejects.rejected("connection_rate");
            refusals.warn("refusing new connections from " + remote.getAddress().getHostAddress() + ": over "
                    + maxConnectionRate + " per second (--max-connection-rate)");
            ch.close();
            return;
        }
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            SslHandler tls = ssl.newHandler(ch.alloc());
            // A handshake is part of the request: a client that stalls in it is a slowloris too.
            tls.setHandshakeTimeout(requestTimeoutNanos, TimeUnit.NANOSECONDS);
            p.addLast(PipelineNames.PLAIN_ON_TLS, new PlainHttpOnTls(rejects));
            p.addLast(PipelineNames.TLS, tls);
            p.addLast(PipelineNames.ALPN, new ProtocolNegotiation(this, http2, fatal));
        } else {
            p.addLast(PipelineNames.PRIOR_KNOWLEDGE, new Http2PriorKnowledge(http2));
            addHttp1(p, true);
        }
    }

    /** Adds the HTTP/1 request phase; {@code h2c}: with the handler that answers {@code Upgrade: h2c}. */
    void addHttp1(ChannelPipeline p, boolean h2c) {
        RequestTimeoutHandler requestTimeout = new RequestTimeoutHandler(requestTimeoutNanos, rejects);
        p.addLast(PipelineNames.REQUEST_START, requestTimeout.startWatch());
        HttpServerCodec codec = new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE));
        p.addLast(PipelineNames.CODEC, codec);
        if (h2c) {
            p.addLast(PipelineNames.H2C_UPGRADE, http2.upgrades(codec));
        }
        p.addLast(PipelineNames.FLOW_CONTROL, new FlowControlHandler());
        p.addLast(PipelineNames.REQUEST_FLOW, new RequestFlowHandler(clientTimeoutNanos, rejects));
        p.addLast(PipelineNames.REQUEST_TIMEOUT, requestTimeout);
        if (cors != null) {
            p.addLast(PipelineNames.CORS, new CorsHandler(cors));
        }
        p.addLast(PipelineNames.ROUTER, router);
    }
}
