package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.server.feed.FeedConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A relayed upstream that sends a frame every {@link #INTERVAL_MILLIS} (a slow camera, a snapshot-like stream):
 * the watchdog learns its rate, so it is declared lost at most twice while learning, not reconnected in a loop.
 */
class SlowUpstreamTest {

    private static final long INTERVAL_MILLIS = 3_000;
    private static final long WATCH_SECONDS = 20;

    @Test
    void aSlowUpstreamIsNotReconnectedInALoop() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicInteger connections = new AtomicInteger();
        byte[] jpeg = jpeg();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            pool.submit(() -> serve(upstream, jpeg, pool, connections));
            FeedConfig slow = new FeedConfig("slow", new CaptureConfig(new SourceSpec.Url(URI.create("http://127.0.0.1:"
                    + upstream.getLocalPort() + "/video.mjpg")), null, 0, 80, 4), CaptureOptions.DEFAULTS);
            try (ServerFixture server = ServerFixture.start(ServerConfig.defaults().withHost("127.0.0.1").withPort(0),
                    List.of(slow))) {
                long started = System.nanoTime();
                JsonNode source = null;
                while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(WATCH_SECONDS)) {
                    source = new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("feeds").get(0)
                            .get("source");
                    TimeUnit.MILLISECONDS.sleep(500);
                }
                System.out.printf("slow upstream (a frame every %d ms) for %d s: %d connections, %d hangs, %d frames%n",
                        INTERVAL_MILLIS, WATCH_SECONDS, connections.get(), source.get("hangs").asLong(),
                        source.get("framesCaptured").asLong());
                assertTrue(source.get("hangs").asLong() <= 2, "declared lost at most twice while learning: " + source);
                assertTrue(connections.get() <= 3, "not reconnected in a loop: " + connections.get() + " connections");
                assertTrue(source.get("framesCaptured").asLong() >= WATCH_SECONDS * 1000 / INTERVAL_MILLIS - 3,
                        "its frames came: " + source);
                assertEquals(64, source.get("width").asInt());
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    private static byte[] jpeg() throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    /** Each connection: a frame at once, then one every {@link #INTERVAL_MILLIS}, until it breaks. */
    private static Void serve(ServerSocket upstream, byte[] jpeg, ExecutorService pool, AtomicInteger connections) {
        while (!upstream.isClosed()) {
            Socket socket;
            try {
                socket = upstream.accept();
            } catch (IOException closed) {
                return null;
            }
            connections.incrementAndGet();
            pool.submit(() -> {
                try (socket) {
                    socket.getInputStream().read(new byte[4096]);
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n"
                            .getBytes(US_ASCII));
                    for (int i = 0; i < 100; i++) {
                        out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                                .getBytes(US_ASCII));
                        out.write(jpeg);
                        out.write("\r\n".getBytes(US_ASCII));
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(INTERVAL_MILLIS);
                    }
                } catch (IOException | InterruptedException gone) {
                    // the relay closed the connection
                }
                return null;
            });
        }
        return null;
    }
}
