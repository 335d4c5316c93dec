package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
            Client client = new Client();
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), client);
                        }
                    })
                    .connect("127.0.0.1", server.port()).sync().channel();
            client.open(channel, false);
            for (int i = 0; i < STALLED && client.reset.isEmpty(); i++) {
                client.open(channel, true);
                // The pace of arrivals (each on a newer frame), not synchronisation.
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> !client.reset.isEmpty()),
                    () -> "the budget reset no stalled stream: " + server.server().feeds().defaultFeed().memoryView()
                            + ", ring " + server.server().feeds().defaultFeed().ringView());
            long viewed = client.viewerBytes.get();
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> client.viewerBytes.get() > viewed + 500_000),
                    "the viewer's stream goes on");
            assertFalse(client.goAway, "the connection goes on");
            assertTrue(channel.isActive(), "the connection goes on");
            assertTrue(server.server().feeds().defaultFeed().broadcaster().clientsOverBudget() > 0);
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Opens streams on one connection; a stalled one never gets its window back, the viewer's always. */
    private static final class Client extends Http2ChannelDuplexHandler {
        final Set<Integer> reset = ConcurrentHashMap.newKeySet();
        final AtomicLong viewerBytes = new AtomicLong();
        volatile boolean goAway;
        private volatile int viewer = -1;
        private ChannelHandlerContext ctx;

        @Override
        protected void handlerAdded0(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // A big connection window: what the stalled streams keep must not starve the viewer.
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(1 << 28));
            ctx.fireChannelActive();
        }

        void open(Channel channel, boolean stall) throws Exception {
            channel.eventLoop().submit(() -> {
                Http2FrameStream stream = newStream();
                DefaultHttp2Headers headers = new DefaultHttp2Headers();
                headers.method("GET").scheme("http").path("/stream").authority("127.0.0.1");
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true).stream(stream)).addListener(f -> {
                    if (!stall) {
                        viewer = stream.id();
                    }
                });
                return null;
            }).get(10, TimeUnit.SECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2DataFrame frame && frame.stream().id() == viewer) {
                    viewerBytes.addAndGet(frame.content().readableBytes());
                    if (frame.initialFlowControlledBytes() > 0) {
                        ctx.write(new DefaultHttp2WindowUpdateFrame(frame.initialFlowControlledBytes()).stream(frame.stream()));
                    }
                } else if (msg instanceof Http2ResetFrame frame) {
                    reset.add(frame.stream().id());
                } else if (msg instanceof Http2GoAwayFrame) {
                    goAway = true;
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
