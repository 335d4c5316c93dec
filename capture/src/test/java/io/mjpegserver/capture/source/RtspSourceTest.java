package io.mjpegserver.capture.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.testing.RtspTestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.awt.image.BufferedImage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RtspSource} against a real RTSP server (GStreamer's, {@link RtspTestServer}) on 127.0.0.1. Every call
 * into a source runs on one thread (as the capture thread would) and is bounded: a hang fails the test.
 */
class RtspSourceTest {

    /** Short, so the stall test is quick; every open and grab here answers far sooner. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Far above {@link #TIMEOUT}: only a source that ignores its timeout reaches it. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static RtspTestServer server;
    private static ExecutorService captureThread;

    @BeforeAll
    static void startServer() throws Exception {
        captureThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "rtsp-test-capture"));
        server = RtspTestServer.start(dir);
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        captureThread.shutdownNow();
        assertTrue(captureThread.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS), "the capture thread ended");
    }

    private static RtspSource source(String url) {
        return new RtspSource(new SourceSpec.Url(URI.create(url)), null, 0, 80, TIMEOUT);
    }

    /** Runs {@code call} on the test's capture thread, failing the test if it takes longer than {@link #BOUND}. */
    private static <T> T bounded(Callable<T> call) throws Exception {
        try {
            return captureThread.submit(call).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + BOUND.toSeconds() + " s: the source hangs", e);
        }
    }

    private static void open(FrameSource source) throws Exception {
        bounded(() -> {
            source.open();
            return null;
        });
    }

    /** {@code n} frames, each as bytes (the buffers released), with each grab's encode time. */
    private static List<byte[]> grab(FrameSource source, int n, List<Long> encodeNanos) throws Exception {
        return bounded(() -> {
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuf jpeg = source.grab(PooledByteBufAllocator.DEFAULT);
                try {
                    frames.add(ByteBufUtil.getBytes(jpeg));
                    encodeNanos.add(source.lastEncodeNanos());
                } finally {
                    jpeg.release();
                }
            }
            return frames;
        });
    }

    private static SourceException openFails(FrameSource source) {
        return assertThrows(SourceException.class, () -> open(source));
    }

    /** Opens {@code url}, grabs one frame, and says how long that took: the time to first frame. */
    private static long firstFrameMillis(RtspSource source) throws Exception {
        long started = System.nanoTime();
        open(source);
        grab(source, 1, new ArrayList<>());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /**
     * Opens {@code source} twice and prints each time to first frame: the first may include loading native
     * libraries in this JVM and building the server's pipeline; the second is what a reconnect costs. Leaves it open.
     */
    private static void reportFirstFrame(String codec, RtspSource source) throws Exception {
        long cold = firstFrameMillis(source);
        bounded(() -> {
            source.close();
            return null;
        });
        long warm = firstFrameMillis(source);
        System.out.printf("RTSP %s %dx%d at %d fps: first frame %d ms after open() began (%d ms the first time)%n",
                codec, RtspTestServer.WIDTH, RtspTestServer.HEIGHT, RtspTestServer.FPS, warm, cold);
    }

    @Test
    void passesMjpegThroughAsTheStreamHasIt() throws Exception {
        RtspSource source = source(server.url("/mjpeg"));
        try {
            reportFirstFrame("MJPEG", source);
            assertTrue(source.passesThrough(), "MJPEG at the stream's own size is passed through");
            assertEquals(RtspTestServer.WIDTH, source.width());
            assertEquals(RtspTestServer.HEIGHT, source.height());
            assertEquals(0, source.pacingFps(), "the stream paces itself");
            assertEquals(RtspTestServer.FPS, source.nominalFps(), 0.01, "the rate the server announces");
            List<Long> encodes = new ArrayList<>();
            List<byte[]> frames = grab(source, 10, encodes);
            Set<String> distinct = new HashSet<>();
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(0, encodes.get(i), "frame " + i + " was not encoded");
                BufferedImage image = Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(frames.get(i)));
                assertEquals(RtspTestServer.WIDTH, image.getWidth());
                assertEquals(RtspTestServer.HEIGHT, image.getHeight());
                distinct.add(java.util.Arrays.toString(frames.get(i)));
            }
            assertTrue(distinct.size() > 5, "the ball moves: " + distinct.size() + " distinct frames of 10");
        } finally {
            bounded(() -> {
                source.close();
                return null;
            });
        }
    }

    @Test
    void decodesH264AndEncodesItOnceAtTheStreamsSize() throws Exception {
        RtspSource source = source(server.url("/h264"));
        try {
            reportFirstFrame("H.264", source);
            assertFalse(source.passesThrough());
            assertEquals(RtspTestServer.WIDTH, source.width());
            assertEquals(RtspTestServer.HEIGHT, source.height());
            assertEquals(RtspTestServer.FPS, source.nominalFps(), 0.01);
            List<Long> encodes = new ArrayList<>();
            List<byte[]> frames = grab(source, 10, encodes);
            for (int i = 0; i < frames.size(); i++) {
                assertTrue(encodes.get(i) > 0, "frame " + i + " was encoded here");
                BufferedImage image = Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(frames.get(i)));
                assertEquals(RtspTestServer.WIDTH, image.getWidth());
                assertEquals(RtspTestServer.HEIGHT, image.getHeight());
                // videotestsrc's ball: a white ball on black, so a real decode has both.
                int darkest = 255;
                int brightest = 0;
                for (int y = 0; y < image.getHeight(); y += 4) {
                    for (int x = 0; x < image.getWidth(); x += 4) {
                        int luma = Jpegs.luma(image, x, y);
                        darkest = Math.min(darkest, luma);
                        brightest = Math.max(brightest, luma);
                    }
                }
                assertTrue(darkest < 40 && brightest > 200, "frame " + i + ": luma " + darkest + " to " + brightest);
            }
        } finally {
            bounded(() -> {
                source.close();
                return null;
            });
        }
    }

    @Test
    void opensWithTheCredentialsInTheUrl() throws Exception {
        RtspSource source = source(server.secureUrl(RtspTestServer.USER, RtspTestServer.PASSWORD));
        try {
            firstFrameMillis(source);
            assertTrue(source.passesThrough());
        } finally {
            bounded(() -> {
                source.close();
                return null;
            });
        }
    }

    @Test
    void wrongCredentialsAre401InOurWords() {
        SourceException e = openFails(source(server.secureUrl(RtspTestServer.USER, "wrong")));
        assertEquals("rtsp stream rtsp://127.0.0.1:" + server.securePort() + "/mjpeg refused our credentials"
                + " (401 Unauthorized): put the camera's user and password in the URL, as rtsp://USER:PASSWORD@host/path",
                e.getMessage());
        SourceException none = openFails(source("rtsp://127.0.0.1:" + server.securePort() + "/mjpeg"));
        assertTrue(none.getMessage().contains("refused our credentials (401 Unauthorized)"), none.getMessage());
    }

    @Test
    void aWrongPathIs404InOurWords() {
        SourceException e = openFails(source(server.url("/no-such-stream")));
        assertEquals("rtsp stream " + server.url("/no-such-stream") + " has no such stream (404 Not Found): check the"
                + " path after the host in the URL (the camera's manual or web page names it)", e.getMessage());
    }

    @Test
    void aClosedPortIsARefusedConnection() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        SourceException e = openFails(source("rtsp://127.0.0.1:" + port + "/stream"));
        assertEquals("rtsp stream rtsp://127.0.0.1:" + port + "/stream refused the connection: check the host and port"
                + " in the URL (RTSP's is usually 554) and that the camera is on", e.getMessage());
    }

    /** A server that takes the connection and never answers: the open fails after the timeout, not never. */
    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // The test is over.
                }
            }, "silent-rtsp-server");
            acceptor.start();
            try {
                String url = "rtsp://127.0.0.1:" + silent.getLocalPort() + "/stream";
                long started = System.nanoTime();
                SourceException e = openFails(source(url));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                System.out.printf("RTSP open against a silent server failed after %d ms (timeout %d ms)%n",
                        millis, TIMEOUT.toMillis());
                assertEquals("rtsp stream " + url + " did not answer within 2 s: check that the camera is on and"
                        + " reachable from here, and the port in the URL (RTSP's is usually 554)", e.getMessage());
                assertTrue(millis >= TIMEOUT.toMillis() - 50, "it waited for the timeout: " + millis + " ms");
            } finally {
                silent.close();
                acceptor.join(TimeUnit.SECONDS.toMillis(10));
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    /**
     * A server that freezes mid-stream fails the grab after the read timeout (no hang); one that is killed ends
     * the stream; and the same source opens again once a server is back on the port.
     */
    @Test
    void aFrozenServerTimesOutAndTheSourceReopensWhenItIsBack(@TempDir Path own) throws Exception {
        RtspTestServer first = RtspTestServer.start(own);
        int port = first.port();
        String url = first.url("/h264");
        RtspSource source = source(url);
        try {
            open(source);
            grab(source, 3, new ArrayList<>());
            first.freeze();
            long started = System.nanoTime();
            SourceException stalled = assertThrows(SourceException.class, () -> grab(source, 1000, new ArrayList<>()));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("RTSP grab from a frozen server failed after %d ms (timeout %d ms)%n", millis, TIMEOUT.toMillis());
            assertEquals("rtsp stream " + url + " sent nothing for 2 s: the camera stalled or the network dropped;"
                    + " check the camera and the network", stalled.getMessage());
            bounded(() -> {
                source.close();
                return null;
            });
            first.close();

            try (RtspTestServer again = RtspTestServer.start(own, port, 0)) {
                open(source);
                List<Long> encodes = new ArrayList<>();
                assertEquals(5, grab(source, 5, encodes).size(), "frames again from the server that came back");
                again.close();
                SourceException ended = assertThrows(SourceException.class, () -> grab(source, 1000, new ArrayList<>()));
                assertEquals("rtsp stream " + url + " ended the stream (the server closed the connection: it restarted,"
                        + " or it allows fewer clients)", ended.getMessage());
            }
        } finally {
            first.close();
            bounded(() -> {
                source.close();
                return null;
            });
        }
    }

    @Test
    void frameSourcesMakesAnRtspSourceOfAnRtspUrl() {
        CaptureConfig rtsp = CaptureConfig.testPattern().withSource(new SourceSpec.Url(URI.create("rtsp://cam/stream1")));
        FrameSource source = FrameSources.create(rtsp);
        assertInstanceOf(RtspSource.class, source);
        assertEquals("rtsp stream rtsp://cam/stream1", source.toString());
        CaptureConfig http = rtsp.withSource(new SourceSpec.Url(URI.create("http://u:p@cam/video.mjpg")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameSources.create(http));
        assertFalse(e.getMessage().contains(":p@"), "no password in " + e.getMessage());
    }
}
