package io.mjpegserver.server.http;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.stream.Http2Unsent;
import io.mjpegserver.server.stream.Http2UnsentTotal;
import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.util.AsciiString;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/2 side of the server: {@link Http2FrameCodec}, then {@link Http2MultiplexHandler} with a child channel
 * per stream that runs the HTTP/1 router behind a frame-to-message codec, so every endpoint, the credentials and
 * the limits work over HTTP/2 unchanged. A connection becomes HTTP/2 by ALPN ({@code h2}), by opening with the
 * preface (prior knowledge), or by an {@code Upgrade: h2c} request.
 */
final class Http2Connections {

    /** How long the codec waits for open streams after it sent GOAWAY on close. Ours end when told to. */
    private static final long GRACEFUL_CLOSE_MILLIS = 1_000;
    /**
     * Streams a client may reset (or have reset by its behaviour) per window before its connection is closed:
     * the rapid-reset flood (CVE-2023-44487). A viewer switching feeds resets a few.
     */
    static final int MAX_RESETS_PER_WINDOW = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    /**
     * Frames with no payload in a row (DATA, or CONTINUATION below the HPACK bound) before the connection is
     * closed: what costs us a frame's work and the client nothing. Netty's own defaults.
     */
    static final int MAX_EMPTY_DATA_FRAMES = 2;
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;
    /** Control frames (SETTINGS and PING acks, resets) queued for a client that does not read them. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 1_000;

    private final RequestRouter router;
    private final CorsConfig cors;
    private final Http2Settings settings;
    private final long idleTimeoutNanos;
    private final long clientTimeoutNanos;
    private final Http2UnsentTotal unsent;
    private final RejectListener rejects;
    private final FatalErrorHandler fatal;
    private final ThrottledLog abuses = new ThrottledLog(LoggerFactory.getLogger(Http2ConnectionGuard.class),
            ThrottledLog.INTERVAL_NANOS);

    /**
     * @param maxConcurrentStreams the most streams a client may open at once on one connection
     * @param idleTimeoutNanos     how long a connection may have no stream open before it is closed
     * @param clientTimeoutNanos   how long a stream may hold bytes unsent with no progress before it is reset
     * @param unsent               the bound on what each connection, and all, hold unsent
     * @param fatal                told of an {@link Error} met on a connection
     */
    Http2Connections(RequestRouter router, CorsConfig cors, int maxConcurrentStreams, long idleTimeoutNanos,
            long clientTimeoutNanos, Http2UnsentTotal unsent, RejectListener rejects, FatalErrorHandler fatal) {
        this.router = router;
        this.cors = cors;
        this.settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(maxConcurrentStreams)
                .maxHeaderListSize(HttpServerInitializer.MAX_HEADER_SIZE);
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.clientTimeoutNanos = clientTimeoutNanos;
        this.unsent = unsent;
        this.rejects = rejects;
        this.fatal = fatal;
    }

    /**
     * Turns {@code pipeline} into HTTP/2's: takes the HTTP/1 handlers out (when there are any), first, as the
     * codec writes its SETTINGS as soon as it is in, and puts the connection's HTTP/2 handlers at its end.
     */
    void install(ChannelPipeline pipeline) {
        if (pipeline.get(PipelineNames.H2C_UPGRADE) != null) {
            pipeline.remove(PipelineNames.H2C_UPGRADE);
        }
        removeHttp1(pipeline);
        pipeline.addLast(PipelineNames.H2_CODEC, codec());
        pipeline.addLast(PipelineNames.H2_UNSENT, unsent());
        pipeline.addLast(PipelineNames.H2_STREAMS, streams());
        pipeline.addLast(PipelineNames.H2_CONNECTION, connection());
    }

    /** The handler that answers {@code Upgrade: h2c}: it goes right behind the HTTP/1 codec. */
    ChannelHandler upgrades(HttpServerCodec http1Codec) {
        return new HttpServerUpgradeHandler(http1Codec, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(codec(), unsent(), streams(), connection())
                        : null);
    }

    private Http2FrameCodec codec() {
        return new UniformCodecBuilder()
                .initialSettings(settings)
                .gracefulShutdownTimeoutMillis(GRACEFUL_CLOSE_MILLIS)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .build();
    }

    /**
     * A server codec whose flow controller shares the connection among its streams uniformly: Netty's default
     * weighted-fair distributor keeps a priority tree and queue that cost more than the DATA they order, for
     * streams that all have the same weight (RFC 9113 deprecates the priorities it orders by).
     */
    private static final class UniformCodecBuilder extends Http2FrameCodecBuilder {
        UniformCodecBuilder() {
            // The connection says it is a server's: the builder refuses server(true) beside it.
            DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
            connection.remote().flowController(
                    new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
            connection(connection);
        }
    }

    private Http2Unsent unsent() {
        return new Http2Unsent(unsent, clientTimeoutNanos, rejects);
    }

    private Http2MultiplexHandler streams() {
        return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast(PipelineNames.H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true));
                if (cors != null) {
                    p.addLast(PipelineNames.CORS, new CorsHandler(cors));
                }
                p.addLast(PipelineNames.ROUTER, router);
            }
        });
    }

    private Http2ConnectionGuard connection() {
        return new Http2ConnectionGuard(idleTimeoutNanos, rejects, fatal, abuses);
    }

    /**
     * Removes the HTTP/1 request phase from a connection that turned into HTTP/2. Not {@link PipelineNames#H2C_UPGRADE}:
     * after an upgrade it removes itself.
     */
    static void removeHttp1(ChannelPipeline pipeline) {
        for (String name : PipelineNames.HTTP1_PHASE) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
    }

    /** Whether {@code ctx} is an HTTP/2 stream's (its requests have no Host but {@code :authority}, and may omit it). */
    static boolean isStream(ChannelHandlerContext ctx) {
        return ctx.channel() instanceof Http2StreamChannel;
    }
}
