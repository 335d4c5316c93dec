package io.mjpegserver.server.testing;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.StartupException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;

/** The real server on 127.0.0.1 and a free port, on the test pattern unless told otherwise. */
public final class ServerFixture implements AutoCloseable {

    public static final String BOUNDARY = "boundarydonotcross";

    private final MjpegServer server;
    private final CaptureConfig capture;

    private ServerFixture(MjpegServer server, CaptureConfig capture) {
        this.server = server;
        this.capture = capture;
    }

    /** The test pattern at {@code width}x{@code height} and {@code fps}. */
    public static ServerFixture testPattern(int width, int height, double fps) throws StartupException {
        return start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), fps, 80, 4));
    }

    /** Several feeds; {@link #capture()} is the first's. */
    public static ServerFixture start(ServerConfig config, List<FeedConfig> feeds) throws StartupException {
        return new ServerFixture(MjpegServer.start(config.toBuilder().feeds(feeds).build()), feeds.get(0).capture());
    }

    public static ServerFixture start(ServerConfig config, CaptureConfig capture) throws StartupException {
        return start(config, capture, FrameSources.create(capture), PooledByteBufAllocator.DEFAULT);
    }

    /** One feed on {@code source}, which the server owns from here. */
    public static ServerFixture start(ServerConfig config, CaptureConfig capture, FrameSource source, ByteBufAllocator alloc)
            throws StartupException {
        return new ServerFixture(MjpegServer.builder(oneFeed(config, capture)).source(source).allocator(alloc).start(),
                capture);
    }

    /** {@code config} serving one feed, the default, on {@code capture}. */
    public static ServerConfig oneFeed(ServerConfig config, CaptureConfig capture) {
        return config.toBuilder().feeds(List.of(new FeedConfig(FeedConfig.DEFAULT_NAME, capture, CaptureOptions.DEFAULTS)))
                .build();
    }

    public MjpegServer server() {
        return server;
    }

    public CaptureConfig capture() {
        return capture;
    }

    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        server.close();
    }
}
