package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.observe.StateViews;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Http2FrameClient;
import io.mjpegserver.server.testing.ServerFixture;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2FrameStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The memory budget over HTTP/2: streams of one connection that never return their window each pin the frame
 * they stalled on; once those frames do not fit the feed's budget, the server resets (RST_STREAM) the streams
 * holding the oldest, and the connection and its viewing stream go on. The client timeout is long here, so only
 * the budget can end them.
 */
class Http2BudgetTest {

    private static final int STALLED = 80;

    @Test
    void streamsPinningTheOldestFramesAreResetAndTheConnectionGoesOn() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1920, 1080), 30, 100, 2);
        FeedConfig feed = new FeedConfig(FeedConfig.DEFAULT_NAME, capture,
                new CaptureOptions(false, CaptureOptions.DEFAULT_IDLE_GRACE, false, 0).withMemory(CaptureOptions.MIN_MEMORY));
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                .clientTimeout(Duration.ofSeconds(60)).build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerFixture server = ServerFixture.start(config, List.of(feed))) {
            // A big connection window: what the stalled streams keep must not starve the viewer.
            Http2FrameClient client = Http2FrameClient.connect(group, server.port(), 1 << 28);
            Channel channel = client.channel();
            Http2FrameStream viewer = client.open("/stream", false);
            for (int i = 0; i < STALLED && client.reset.isEmpty(); i++) {
                client.open("/stream", true);
                // The pace of arrivals (each on a newer frame), not synchronisation.
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> !client.reset.isEmpty()),
                    () -> "the budget reset no stalled stream: " + StateViews.memory(server.server().feeds().defaultFeed())
                            + ", ring " + StateViews.ring(server.server().feeds().defaultFeed()));
            long viewed = client.received(viewer);
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> client.received(viewer) > viewed + 500_000),
                    "the viewer's stream goes on");
            assertFalse(client.goAway, "the connection goes on");
            assertTrue(channel.isActive(), "the connection goes on");
            assertTrue(server.server().feeds().defaultFeed().broadcaster().clientsOverBudget() > 0);
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
