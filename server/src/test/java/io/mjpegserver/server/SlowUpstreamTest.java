package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A relayed upstream that sends a frame every {@link #INTERVAL_MILLIS} (a slow camera, a snapshot-like stream):
 * the watchdog learns its rate, so it is declared lost at most twice while learning, not reconnected in a loop, and
 * health judges it by the same threshold: fine between its frames.
 */
class SlowUpstreamTest {

    private static final long INTERVAL_MILLIS = 3_000;
    private static final long WATCH_SECONDS = 20;

    @Test
    void aSlowUpstreamIsNotReconnectedInALoop() throws Exception {
        try (MultipartUpstream upstream = slowUpstream(); ServerFixture server = relay(upstream)) {
            long started = System.nanoTime();
            JsonNode source = null;
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(WATCH_SECONDS)) {
                source = source(server);
                TimeUnit.MILLISECONDS.sleep(500);
            }
            System.out.printf("slow upstream (a frame every %d ms) for %d s: %d connections, %d hangs, %d frames%n",
                    INTERVAL_MILLIS, WATCH_SECONDS, upstream.connections(), source.get("hangs").asLong(),
                    source.get("framesCaptured").asLong());
            assertTrue(source.get("hangs").asLong() <= 2, "declared lost at most twice while learning: " + source);
            assertTrue(upstream.connections() <= 3,
                    "not reconnected in a loop: " + upstream.connections() + " connections");
            assertTrue(source.get("framesCaptured").asLong() >= WATCH_SECONDS * 1000 / INTERVAL_MILLIS - 3,
                    "its frames came: " + source);
            assertEquals(64, source.get("width").asInt());
        }
    }

    @Test
    void healthIsOkBetweenTheFramesOfALearntSlowUpstream() throws Exception {
        try (MultipartUpstream upstream = slowUpstream(); ServerFixture server = relay(upstream)) {
            // Learnt once two intervals came within one connection: frames 2 and 3 after a loss while learning.
            assertTrue(Http.eventually(Duration.ofSeconds(30), () -> {
                try {
                    JsonNode source = source(server);
                    return source.get("online").asBoolean() && source.get("framesCaptured").asLong() >= 4;
                } catch (Exception e) {
                    return false;
                }
            }), "the slow upstream's frames came");
            // Three gaps, each sampled through its whole length (a 2 s threshold fails in the last third).
            long started = System.nanoTime();
            int samples = 0;
            while (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(3 * INTERVAL_MILLIS)) {
                var all = Http.getText(server.url("/healthz"));
                var one = Http.getText(server.url("/cam/slow/healthz"));
                assertEquals(200, all.statusCode(), "/healthz between frames: " + all.body());
                assertEquals(200, one.statusCode(), "/cam/slow/healthz between frames: " + one.body());
                samples++;
                TimeUnit.MILLISECONDS.sleep(250);
            }
            assertTrue(samples >= 12, "sampled through the gaps: " + samples);
        }
    }

    /** An upstream sending a frame at once, then one every {@link #INTERVAL_MILLIS}, on each connection. */
    private static MultipartUpstream slowUpstream() throws Exception {
        return MultipartUpstream.builder().every(Duration.ofMillis(INTERVAL_MILLIS)).partsPerConnection(100).start();
    }

    /** A server relaying {@code upstream} as feed {@code slow}, with no --fps: the rate is the upstream's to show. */
    private static ServerFixture relay(MultipartUpstream upstream) throws Exception {
        FeedConfig slow = new FeedConfig("slow", new CaptureConfig(new SourceSpec.Url(URI.create(upstream.url())), null,
                0, 80, 4), CaptureOptions.DEFAULTS);
        return ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), List.of(slow));
    }

    private static JsonNode source(ServerFixture server) throws Exception {
        return new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("feeds").get(0).get("source");
    }
}
