package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@code /state}, {@code /metrics} and the startup line say what is true of each kind of source: the size and
 * rate as configured or as the source told them, {@code null} (not known yet) before, never a default size or a
 * rate of 0; and frames an upstream delivered incomplete are counted.
 */
class SayWhatIsTrueTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void sizeAndRateAreTheConfiguredOrKnownOnesAndIncompleteFramesAreCounted() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        byte[] jpeg = jpeg();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            pool.submit(() -> serve(upstream, jpeg, pool));
            String url = "http://127.0.0.1:" + upstream.getLocalPort() + "/video.mjpg";
            FeedConfig pattern = new FeedConfig("pattern", new CaptureConfig(new SourceSpec.TestPattern(),
                    new VideoSize(320, 240), 10, 80, 4), CaptureOptions.DEFAULTS);
            FeedConfig sleeper = new FeedConfig("sleeper", new CaptureConfig(new SourceSpec.Url(URI.create(url)), null, 0,
                    80, 4), new CaptureOptions(true, Duration.ofSeconds(1), false));
            FeedConfig relay = new FeedConfig("relay", new CaptureConfig(new SourceSpec.Url(URI.create(url)), null, 0, 80,
                    4), CaptureOptions.DEFAULTS);
            try (ServerFixture server = ServerFixture.start(ServerConfig.defaults().withHost("127.0.0.1").withPort(0),
                    List.of(pattern, sleeper, relay))) {
                JsonNode patternSource = source(server, 0);
                assertEquals(10.0, patternSource.get("configuredFps").asDouble());
                assertEquals(320, patternSource.get("width").asInt());
                assertEquals("320x240 at 10 fps", server.server().feeds().get("pattern").figuresForStartup());

                JsonNode asleep = source(server, 1);
                assertTrue(asleep.get("configuredFps").isNull(), "an idle relay's rate is not known: " + asleep);
                assertTrue(asleep.get("width").isNull() && asleep.get("height").isNull(),
                        "nor its size, and no default stands in for it: " + asleep);
                assertEquals("size and rate not known yet, on demand: opens at the first client",
                        server.server().feeds().get("sleeper").figuresForStartup());

                assertTrue(Http.eventually(WAIT, () -> source(server, 2).get("framesIncomplete").asLong() >= 1
                        && source(server, 2).get("width").asInt() == 64), "the relay's size, once it sent a frame,"
                        + " and its incomplete frames: " + source(server, 2));
                String metrics = Http.getText(server.url("/metrics")).body();
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("mjpeg_frames_incomplete_total{feed=\"relay\"}")
                        && !l.endsWith(" 0.0") && !l.endsWith(" 0")), metrics);
                assertEquals(200, Http.get(server.url("/healthz")).statusCode());
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    private static JsonNode source(ServerFixture server, int feed) {
        try {
            return new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("feeds").get(feed)
                    .get("source");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] jpeg() throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    /** Each connection: every 100 ms a part, every third one a JPEG cut short (its EOI missing). */
    private static Void serve(ServerSocket upstream, byte[] jpeg, ExecutorService pool) {
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        while (!upstream.isClosed()) {
            Socket socket;
            try {
                socket = upstream.accept();
            } catch (IOException closed) {
                return null;
            }
            pool.submit(() -> {
                try (socket) {
                    socket.getInputStream().read(new byte[4096]);
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n"
                            .getBytes(US_ASCII));
                    for (int i = 0; i < 3_000; i++) {
                        byte[] body = i % 3 == 2 ? cut : jpeg;
                        out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + body.length + "\r\n\r\n")
                                .getBytes(US_ASCII));
                        out.write(body);
                        out.write("\r\n".getBytes(US_ASCII));
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(100);
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
