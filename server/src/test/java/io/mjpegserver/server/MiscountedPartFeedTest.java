package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartUpstream;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A relayed camera that miscounts one part's Content-Length, then streams on: the part is skipped and counted in
 * {@code /state} ({@code framesIncomplete}) and {@code /metrics} ({@code mjpeg_frames_incomplete_total}), the
 * relay keeps its one upstream connection, and the frames after it keep coming.
 */
class MiscountedPartFeedTest {

    private static final int PARTS = 60;
    private static final int MISCOUNTED = 5;
    private static final List<byte[]> JPEGS = jpegs(8);

    @Test
    void aMiscountedPartIsCountedAndTheConnectionKept() throws Exception {
        // Parts at about 30 fps for up to a minute a connection, part MISCOUNTED declaring 300 bytes too few.
        try (MultipartUpstream upstream = MultipartUpstream.builder().body(i -> JPEGS.get(i % JPEGS.size()))
                .declaredLength((i, body) -> body.length - (i == MISCOUNTED ? 300 : 0))
                .every(Duration.ofMillis(33)).partsPerConnection(30 * 60).start()) {
            FeedConfig camera = new FeedConfig("camera", new CaptureConfig(new SourceSpec.Url(URI.create(upstream.url())),
                    null, 0, 80, 4), CaptureOptions.DEFAULTS);
            try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                    List.of(camera))) {
                assertTrue(Http.eventually(Duration.ofSeconds(30), () -> captured(server) >= PARTS),
                        "the parts after the miscounted one captured: " + captured(server) + " of " + upstream.partsSent()
                        + " sent");
                JsonNode source = source(server);
                assertEquals(1, source.get("framesIncomplete").asLong(), source.toString());
                // A loaded machine may stall the relay past the watchdog (a loss, and a new connection): never for the part.
                assertFalse(source.path("lastError").asText().contains("Content-Length"), source.toString());
                assertEquals(1 + source.get("failures").asLong(), upstream.connections(),
                        "one upstream connection, and one more only after each loss that was not the part's: " + source);
                String metrics = Http.getText(server.url("/metrics")).body();
                assertEquals(1.0, ObserveTest.value(metrics, "mjpeg_frames_incomplete_total{feed=\"camera\"}"), 0);
            }
        }
    }

    private static long captured(ServerFixture server) {
        try {
            return source(server).get("framesCaptured").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode source(ServerFixture server) throws Exception {
        return new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("feeds").get(0).get("source");
    }

    private static List<byte[]> jpegs(int count) {
        List<byte[]> jpegs = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                jpegs.add(jpeg(i));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return List.copyOf(jpegs);
    }

    private static byte[] jpeg(int i) throws IOException {
        BufferedImage image = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 160; x++) {
                image.setRGB(x, y, (x * 7 + y * 3 + i * 40) & 0xFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }
}
