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
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.RtspTestServer;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds from a real RTSP server (GStreamer's, on 127.0.0.1): an MJPEG stream passed through as the camera sends
 * it, and an H.264 stream decoded and encoded once, each on its own paths beside the other.
 */
class RtspFeedTest {

    @TempDir
    Path dir;

    private static FeedConfig rtsp(String name, String url) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.Url(URI.create(url)), null, 0, 80, 4),
                CaptureOptions.DEFAULTS);
    }

    @Test
    void mjpegPassesThroughAndH264IsEncodedOnce() throws Exception {
        try (RtspTestServer rtsp = RtspTestServer.start(dir);
                ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                        List.of(rtsp("door", rtsp.url("/mjpeg")), rtsp("yard", rtsp.url("/h264"))))) {
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> server.server().feeds().all().stream()
                    .allMatch(f -> f.ring().published() > 3)), "both feeds deliver");
            for (String feed : List.of("door", "yard")) {
                HttpResponse<byte[]> snapshot = Http.get(server.url("/cam/" + feed + "/snapshot"));
                assertEquals(200, snapshot.statusCode());
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(snapshot.body()));
                assertEquals(RtspTestServer.WIDTH, image.getWidth(), feed);
                assertEquals(RtspTestServer.HEIGHT, image.getHeight(), feed);
                try (StreamClient client = StreamClient.open(server.port(), "/cam/" + feed + "/stream", "1.1")) {
                    long first = client.next().sequence();
                    assertTrue(client.next().sequence() > first, "the " + feed + " stream advances");
                }
            }
            JsonNode feeds = new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("feeds");
            assertEquals("rtsp", feeds.get(0).get("source").get("kind").asText());
            assertTrue(feeds.get(0).get("source").get("passedThrough").asBoolean(), "MJPEG over RTSP: no encode");
            assertFalse(feeds.get(1).get("source").get("passedThrough").asBoolean(), "H.264: decoded and encoded");
            assertEquals(0.0, feeds.get(0).get("source").get("lastEncodeMillis").asDouble());
            assertTrue(feeds.get(1).get("source").get("lastEncodeMillis").asDouble() > 0);
        }
    }
}
