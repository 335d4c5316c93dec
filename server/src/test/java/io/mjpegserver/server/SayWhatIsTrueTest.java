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
import io.mjpegserver.server.testing.MultipartUpstream;
import io.mjpegserver.server.testing.ServerFixture;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
        byte[] jpeg = MultipartUpstream.jpeg(64, 48);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        // Each connection: every 100 ms a part, every third one a JPEG cut short (its EOI missing).
        try (MultipartUpstream upstream = MultipartUpstream.builder().body(i -> i % 3 == 2 ? cut : jpeg)
                .every(Duration.ofMillis(100)).partsPerConnection(3_000).start()) {
            String url = upstream.url();
            FeedConfig pattern = new FeedConfig("pattern", new CaptureConfig(new SourceSpec.TestPattern(),
                    new VideoSize(320, 240), 10, 80, 4), CaptureOptions.DEFAULTS);
            FeedConfig sleeper = new FeedConfig("sleeper", new CaptureConfig(new SourceSpec.Url(URI.create(url)), null, 0,
                    80, 4), new CaptureOptions(true, Duration.ofSeconds(1), false));
            FeedConfig relay = new FeedConfig("relay", new CaptureConfig(new SourceSpec.Url(URI.create(url)), null, 0, 80,
                    4), CaptureOptions.DEFAULTS);
            try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
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
}
