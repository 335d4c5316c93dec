package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.server.testing.StreamClient;
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
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two HTTP/2 clients that take nothing: each says SETTINGS_INITIAL_WINDOW_SIZE 0, never sends a WINDOW_UPDATE, and
 * opens a {@code /snapshot} stream per frame (Netty's client codec), reconnecting when the server closes it. The
 * server runs as the package runs it (the shipped {@code jvm.options}: 192 MiB of direct memory) on large frames.
 * It stays up; what the starved streams hold is bounded (per connection and in all), so direct memory stays within
 * that bound above its level before, and returns to it after; an HTTP/1.1 viewer keeps (most of) its rate.
 */
class Http2StarvedSnapshotsTest {

    private static final int FPS = 30;
    private static final int ATTACKERS = 2;
    private static final Duration ATTACK = Duration.ofSeconds(12);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern DIRECT = Pattern.compile("\"directMemoryBytes\"\\s*:\\s*(-?\\d+)");
    /** What the server lets all HTTP/2 connections hold unsent: a quarter of its 192 MiB of direct memory. */
    private static final long UNSENT_BOUND = (192L << 20) / 4;
    /** Pooled memory comes in chunks of 4 MiB: what one more part in flight may add, and the ring's churn. */
    private static final long SLACK = 24L << 20;
    /** The noise's standard deviation, for frames of about a megabyte. */
    private static final int NOISE = 24;

    @TempDir
    Path dir;

    @Test
    void starvedSnapshotStreamsAreBoundedAndTheServerStaysUp() throws Exception {
        Path clip = noisyClip(dir.resolve("noise.avi"));
        try (ServerProcess server = ServerProcess.start(dir, shippedJvmOptions(), "/healthz", "--file",
                clip.toString(), "--fps", String.valueOf(FPS))) {
            int jpeg = Http.get(server.url("/snapshot")).body().length;
            ExecutorService viewerThread = Executors.newSingleThreadExecutor();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong viewerFrames = new AtomicLong();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                Future<Void> viewer = viewerThread.submit(StreamClient.counting(server.port(), "/stream", viewerFrames,
                        stop, WAIT.multipliedBy(3)));
                assertTrue(Http.eventually(WAIT, () -> viewerFrames.get() >= 2 * FPS), "the viewer's first frames");
                long before = directMemory(server);
                // The viewer's rate before: what this machine gives it now.
                long quietStart = System.nanoTime();
                long framesAtQuiet = viewerFrames.get();
                for (int i = 0; i < 10; i++) {
                    // Sampled as during the attack, so the two rates compare.
                    directMemory(server);
                    Http.eventually(Duration.ofMillis(300), () -> !server.process().isAlive());
                }
                double quietFps = (viewerFrames.get() - framesAtQuiet) / ((System.nanoTime() - quietStart) / 1e9);

                List<Starver> starvers = new ArrayList<>();
                long attackStart = System.nanoTime();
                long framesAtStart = viewerFrames.get();
                for (int i = 0; i < ATTACKERS; i++) {
                    starvers.add(new Starver(group, server.port()));
                }
                long most = before;
                long deadline = attackStart + ATTACK.toNanos();
                while (System.nanoTime() < deadline && server.process().isAlive()) {
                    for (Starver starver : starvers) {
                        starver.reconnectIfClosed();
                    }
                    most = Math.max(most, directMemory(server));
                    // Sampling every 200 ms, bounded by the attack's deadline.
                    Http.eventually(Duration.ofMillis(300), () -> !server.process().isAlive());
                }
                double attackSeconds = (System.nanoTime() - attackStart) / 1e9;
                double viewerFps = (viewerFrames.get() - framesAtStart) / attackSeconds;
                long streams = 0;
                long connections = 0;
                for (Starver starver : starvers) {
                    streams += starver.opened.get();
                    connections += starver.connections;
                    starver.close();
                }
                assertTrue(server.process().isAlive(), () -> "the server died:\n" + tail(dir.resolve("server.err")));
                long mostDuring = most;
                long[] after = {directMemory(server)};
                boolean returned = Http.eventually(WAIT, () -> {
                    after[0] = directMemory(server);
                    return after[0] <= before + SLACK;
                });
                stop.set(true);
                viewer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                System.out.printf("HTTP/2 starved snapshots: %d-byte frames at %d fps, %d connections opened %d streams"
                        + " in %.1f s; direct memory %d MiB before, at most %d MiB during, %d MiB after; the viewer got"
                        + " %.1f fps (%.1f before)%n", jpeg, FPS, connections, streams, attackSeconds, before >> 20,
                        mostDuring >> 20, after[0] >> 20, viewerFps, quietFps);
                assertTrue(streams > FPS * ATTACK.toSeconds(), "the starving clients opened only " + streams + " streams");
                assertTrue(mostDuring <= before + UNSENT_BOUND + SLACK, () -> "direct memory went from " + before
                        + " to " + mostDuring + " bytes, more than the bound on what connections hold unsent");
                assertTrue(returned, () -> "direct memory did not return to " + before + " bytes: " + after[0]);
                assertTrue(viewerFps >= FPS / 2.0, () -> "the viewer got " + viewerFps + " fps meanwhile:\n"
                        + tail(dir.resolve("server.err")));
            } finally {
                stop.set(true);
                viewerThread.shutdownNow();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    /**
     * A 1080p MJPEG clip of noise, whose frames are large (about a megabyte) as a camera's are on a busy scene; the
     * file source passes them through without encoding, so the server's CPU goes to serving.
     */
    static Path noisyClip(Path file) throws Exception {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 1920, 1080, 0);
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                Mat noise = new Mat(1080, 1920, opencv_core.CV_8UC3);
                Mat mean = new Mat(128.0, 128.0, 128.0);
                Mat spread = new Mat((double) NOISE, NOISE, NOISE)) {
            recorder.setFormat("avi");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MJPEG);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUVJ420P);
            recorder.setFrameRate(FPS);
            recorder.setVideoQuality(4);
            recorder.start();
            for (int i = 0; i < 8; i++) {
                opencv_core.randn(noise, mean, spread);
                recorder.record(converter.convert(noise));
            }
            recorder.stop();
        }
        return file;
    }

    /** The options of {@code server/src/deb/jvm.options}, as the package starts the server with them. */
    static List<String> shippedJvmOptions() throws Exception {
        Path options = Path.of("src/deb/jvm.options");
        assertTrue(Files.isRegularFile(options), "no " + options.toAbsolutePath());
        return Files.readAllLines(options).stream().map(String::strip).filter(l -> l.startsWith("-")).toList();
    }

    private static long directMemory(ServerProcess server) {
        String state;
        try {
            state = Http.getText(server.url("/state")).body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError("/state did not answer", e);
        }
        Matcher m = DIRECT.matcher(state);
        assertTrue(m.find(), "no directMemoryBytes in /state");
        long used = Long.parseLong(m.group(1));
        assertTrue(used >= 0, "the server's allocator is not pooled");
        return used;
    }

    private static String tail(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
        return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
    }

    /**
     * One HTTP/2 connection that takes nothing: initial window 0, no WINDOW_UPDATE ever, a {@code /snapshot} stream
     * opened every frame period. Reopened when the server closes it.
     */
    private static final class Starver {

        private final EventLoopGroup group;
        private final int port;
        final AtomicLong opened = new AtomicLong();
        int connections;
        private Channel channel;

        Starver(EventLoopGroup group, int port) throws InterruptedException {
            this.group = group;
            this.port = port;
            connect();
        }

        void reconnectIfClosed() throws InterruptedException {
            if (!channel.isActive()) {
                connect();
            }
        }

        private void connect() throws InterruptedException {
            connections++;
            Opener opener = new Opener(opened);
            channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                    .initialSettings(Http2Settings.defaultSettings().initialWindowSize(0)).build(), opener);
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
        }

        void close() throws InterruptedException {
            channel.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** Opens a {@code /snapshot} stream every frame period; drops whatever comes back. */
    private static final class Opener extends Http2ChannelDuplexHandler {

        private final AtomicLong opened;
        private ScheduledFuture<?> ticker;

        Opener(AtomicLong opened) {
            this.opened = opened;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ticker = ctx.executor().scheduleAtFixedRate(() -> open(ctx), 0, 1000 / FPS, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        private void open(ChannelHandlerContext ctx) {
            DefaultHttp2Headers headers = new DefaultHttp2Headers();
            headers.method("GET").scheme("http").path("/snapshot").authority("127.0.0.1");
            // Past the server's stream limit the codec fails the write: the next tick tries again.
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true).stream(newStream())).addListener(f -> {
                if (f.isSuccess()) {
                    opened.incrementAndGet();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Stream limits and resets, the server's GOAWAY: what this client provokes.
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ticker != null) {
                ticker.cancel(false);
            }
            ctx.fireChannelInactive();
        }
    }
}
