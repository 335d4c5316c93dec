package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several named feeds in one server: each on its own paths at its own size, the single-source paths on the
 * first, and every feed in {@code /state}, {@code /metrics} and {@code /healthz}.
 */
class FeedsTest {

    private static final Map<String, VideoSize> SIZES = Map.of("front", new VideoSize(640, 360),
            "garage", new VideoSize(320, 240), "desk", new VideoSize(480, 270));
    private static ServerFixture server;

    @BeforeAll
    static void start() throws Exception {
        List<FeedConfig> feeds = List.of(feed("front"), feed("garage"), feed("desk"));
        server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), feeds);
        assertTrue(Http.eventually(Duration.ofSeconds(20), () -> server.server().feeds().all().stream()
                .allMatch(f -> f.ring().published() > 0 && f.captureStats().framesCaptured() > 0)), "every feed has frames");
    }

    private static FeedConfig feed(String name) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.TestPattern(), SIZES.get(name), 15, 80, 4),
                CaptureOptions.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static BufferedImage snapshot(String path) throws Exception {
        HttpResponse<byte[]> response = Http.get(server.url(path));
        assertEquals(200, response.statusCode(), path);
        assertEquals("image/jpeg", response.headers().firstValue("content-type").orElse(""));
        return ImageIO.read(new ByteArrayInputStream(response.body()));
    }

    @Test
    void eachFeedHasItsOwnSnapshotAtItsOwnSize() throws Exception {
        for (Map.Entry<String, VideoSize> e : SIZES.entrySet()) {
            for (String path : List.of("/cam/" + e.getKey() + "/snapshot", "/cam/" + e.getKey() + "/snapshot.jpg",
                    "/cam/" + e.getKey() + "/?action=snapshot")) {
                BufferedImage image = snapshot(path);
                assertEquals(e.getValue().width(), image.getWidth(), path);
                assertEquals(e.getValue().height(), image.getHeight(), path);
            }
        }
        // The single-source paths serve the first feed, as they did before feeds.
        assertEquals(640, snapshot("/snapshot").getWidth());
        assertEquals(640, snapshot("/?action=snapshot").getWidth());
    }

    @Test
    void eachFeedStreamsOnItsOwnPaths() throws Exception {
        for (String path : List.of("/cam/garage/stream", "/cam/garage/stream.mjpg", "/cam/garage/?action=stream")) {
            try (StreamClient client = StreamClient.open(server.port(), path, "1.1")) {
                MultipartStreamReader.Part part = client.next();
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(part.body()));
                assertEquals(320, image.getWidth(), path);
            }
        }
    }

    @Test
    void anUnknownFeedIs404NamingTheFeeds() throws Exception {
        HttpResponse<String> response = Http.getText(server.url("/cam/attic/stream"));
        assertEquals(404, response.statusCode());
        assertEquals("404 Not Found: no such feed: attic (feeds: front, garage, desk)\n", response.body());
        assertEquals(404, Http.getText(server.url("/cam/front/state")).statusCode(), "only per-feed endpoints under /cam");
        assertEquals(404, Http.getText(server.url("/cam/front/nope")).statusCode());
    }

    @Test
    void stateListsEveryFeedWithItsSourceAndClients() throws Exception {
        try (StreamClient client = StreamClient.open(server.port(), "/cam/desk/stream", "1.1")) {
            client.next();
            JsonNode state = new ObjectMapper().readTree(Http.getText(server.url("/state")).body());
            JsonNode feeds = state.get("feeds");
            assertEquals(3, feeds.size());
            assertEquals("front", feeds.get(0).get("name").asText());
            assertEquals("/cam/desk/stream", feeds.get(2).get("stream").asText());
            assertEquals(480, feeds.get(2).get("source").get("width").asInt());
            assertEquals(1, feeds.get(2).get("clients").size(), "the desk feed's client");
            assertEquals(0, feeds.get(0).get("clients").size());
            // The top level is the default feed's, as before feeds.
            assertEquals(640, state.get("source").get("width").asInt());
        }
    }

    @Test
    void metricsLabelEveryFeed() throws Exception {
        String text = Http.getText(server.url("/metrics")).body();
        for (String feed : SIZES.keySet()) {
            assertTrue(ObserveTest.value(text, "mjpeg_frames_captured_total{feed=\"" + feed + "\"}") > 0, text);
            assertEquals(1.0, ObserveTest.value(text, "mjpeg_source_up{feed=\"" + feed + "\"}"), text);
            assertTrue(text.contains("mjpeg_capture_seconds_count{feed=\"" + feed + "\"}"), text);
        }
    }

    @Test
    void healthzCoversEveryFeedAndEachAlone() throws Exception {
        assertEquals("ok\n", Http.getText(server.url("/healthz")).body());
        for (String feed : SIZES.keySet()) {
            assertEquals(200, Http.getText(server.url("/cam/" + feed + "/healthz")).statusCode());
        }
    }
}
