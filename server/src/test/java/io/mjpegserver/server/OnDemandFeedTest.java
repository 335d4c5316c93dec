package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * An on-demand feed relaying an origin: no upstream connection while nobody watches, one while someone does,
 * none again a grace period after the last client; a snapshot of the idle feed opens it and waits for its first
 * frame. The time to that first frame (a cold start) is printed.
 */
class OnDemandFeedTest {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void theUpstreamIsHeldOnlyWhileSomeoneWatches() throws Exception {
        try (ServerFixture origin = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 360), 15, 80, 4))) {
            FeedConfig onDemand = new FeedConfig("porch", new CaptureConfig(new SourceSpec.Url(
                    URI.create(origin.url("/stream"))), null, 0, 80, 4), new CaptureOptions(true, GRACE, false));
            try (ServerFixture relay = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                    List.of(onDemand))) {
                assertTrue(idle(relay), "idle before the first client");
                assertEquals(0, origin.server().streamClients().size(), "no upstream connection before the first client");
                assertEquals("ok (idle: opens at the first client)\n", Http.getText(relay.url("/cam/porch/healthz")).body());

                long started = System.nanoTime();
                try (StreamClient client = StreamClient.open(relay.port(), "/cam/porch/stream", "1.1")) {
                    // NO SIGNAL parts (at the fallback size, 1280x720) may come first while it connects; wait for
                    // the origin's own frames, at its 640x360.
                    int width = 0;
                    for (int i = 0; i < 200 && width != 640; i++) {
                        width = ImageIO.read(new ByteArrayInputStream(client.next().body())).getWidth();
                    }
                    assertEquals(640, width, "the origin's frames arrive");
                    long coldStream = (System.nanoTime() - started) / 1_000_000;
                    assertEquals(1, origin.server().streamClients().size(), "one upstream connection while watched");
                    assertFalse(idle(relay));
                    System.out.printf("on demand: first live part on a cold relayed feed after %d ms%n", coldStream);
                }
                assertTrue(Http.eventually(WAIT, () -> origin.server().streamClients().isEmpty()),
                        "the upstream connection closes after the grace");
                assertTrue(Http.eventually(WAIT, () -> idle(relay)), "and the feed is idle again");

                started = System.nanoTime();
                HttpResponse<byte[]> snapshot = Http.get(relay.url("/cam/porch/snapshot"));
                long coldSnapshot = (System.nanoTime() - started) / 1_000_000;
                assertEquals(200, snapshot.statusCode());
                assertEquals(640, ImageIO.read(new ByteArrayInputStream(snapshot.body())).getWidth(),
                        "the snapshot is the origin's picture, not NO SIGNAL");
                System.out.printf("on demand: snapshot of a cold relayed feed answered after %d ms%n", coldSnapshot);
                assertTrue(Http.eventually(WAIT, () -> idle(relay)), "idle again after the snapshot's grace");
            }
        }
    }

    private static boolean idle(ServerFixture relay) {
        try {
            JsonNode state = new ObjectMapper().readTree(Http.getText(relay.url("/state")).body());
            return state.get("feeds").get(0).get("source").get("idle").asBoolean();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
