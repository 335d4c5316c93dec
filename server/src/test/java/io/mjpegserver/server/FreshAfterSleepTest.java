package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.MultipartUpstream;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * An on-demand relayed feed goes to sleep, then wakes for a new client, its upstream answering only
 * {@link #ANSWER_DELAY} after each connect, as cameras do: neither the new stream client nor a snapshot taken while
 * it wakes gets the frame from before the sleep; each gets a frame captured after it asked (or a placeholder that
 * says so), and {@code ?at=} for a moment of the sleep finds nothing.
 */
class FreshAfterSleepTest {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long ANSWER_DELAY = 2_000;
    private static final int WIDTH = 64;

    @Test
    void aWakingFeedNeverServesTheFrameFromBeforeItSlept() throws Exception {
        // Each connection: the request, ANSWER_DELAY of silence, then a part every 100 ms.
        try (MultipartUpstream upstream = MultipartUpstream.builder().body(MultipartUpstream.jpeg(WIDTH, 48))
                .answerAfter(Duration.ofMillis(ANSWER_DELAY)).every(Duration.ofMillis(100)).partsPerConnection(3_000)
                .start()) {
            FeedConfig onDemand = new FeedConfig("porch", new CaptureConfig(
                    new SourceSpec.Url(URI.create(upstream.url())), null, 0, 80, 16), new CaptureOptions(true, GRACE, false));
            try (ServerFixture relay = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                    List.of(onDemand))) {
                long lastBeforeSleep;
                try (StreamClient client = StreamClient.open(relay.port(), "/cam/porch/stream", "1.1")) {
                    MultipartStreamReader.Part part = firstLive(client);
                    lastBeforeSleep = part.sequence();
                    for (int i = 0; i < 3; i++) {
                        lastBeforeSleep = client.next().sequence();
                    }
                }
                assertTrue(Http.eventually(WAIT, () -> idle(relay)), "the feed goes to sleep after its grace");
                long asleepNanos = System.nanoTime();
                TimeUnit.MILLISECONDS.sleep(1_500); // asleep for a while, as a feed is at night

                double connected = wallSeconds();
                try (StreamClient client = StreamClient.open(relay.port(), "/cam/porch/stream", "1.1")) {
                    assertTrue(Http.eventually(WAIT, () -> !idle(relay)), "the client wakes the feed");
                    // Awake, its upstream not answering yet: a snapshot now must wait for a frame of now.
                    double asked = wallSeconds();
                    HttpResponse<byte[]> snapshot = Http.get(relay.url("/cam/porch/snapshot"));
                    assertEquals(200, snapshot.statusCode());
                    double taken = Double.parseDouble(snapshot.headers().firstValue("X-Timestamp").orElseThrow());
                    assertTrue(taken >= asked - 0.05, String.format(Locale.ROOT,
                            "the snapshot is a frame of after the request (%.3f), not from before the sleep: %.3f", asked,
                            taken));
                    assertTrue(snapshot.headers().firstValue("X-Source-Online").isPresent(), "it says whether it is live");

                    MultipartStreamReader.Part first = client.next();
                    assertTrue(first.sequence() > lastBeforeSleep, "the stream's first part is not the frame from"
                            + " before the sleep: " + first.sequence() + " <= " + lastBeforeSleep);
                    double stamped = Double.parseDouble(first.timestamp());
                    assertTrue(stamped >= connected - 0.05, String.format(Locale.ROOT,
                            "the first part was captured after the client came (%.3f): %.3f", connected, stamped));
                    MultipartStreamReader.Part live = first;
                    while (!"true".equals(live.headers().get("x-source-online"))) {
                        assertEquals("false", live.headers().get("x-source-online"), "a placeholder says so");
                        live = client.next();
                    }
                    assertEquals(WIDTH, ImageIO.read(new ByteArrayInputStream(live.body())).getWidth());

                    // A moment of the sleep: the frame from before it is not what the feed showed then.
                    double back = (System.nanoTime() - asleepNanos) / 1e9 - 0.5;
                    int status = Http.get(relay.url("/cam/porch/snapshot?at=-" + String.format(Locale.ROOT, "%.3f", back)))
                            .statusCode();
                    assertEquals(404, status, "?at= into the sleep finds nothing");
                }
            }
        }
    }

    private static MultipartStreamReader.Part firstLive(StreamClient client) throws IOException {
        for (int i = 0; i < 200; i++) {
            MultipartStreamReader.Part part = client.next();
            if (ImageIO.read(new ByteArrayInputStream(part.body())).getWidth() == WIDTH) {
                return part;
            }
        }
        throw new AssertionError("no frame of the upstream's");
    }

    private static double wallSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static boolean idle(ServerFixture relay) {
        try {
            return new ObjectMapper().readTree(Http.getText(relay.url("/state")).body()).get("feeds").get(0)
                    .get("source").get("idle").asBoolean();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
