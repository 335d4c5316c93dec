package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /state}'s {@code actualFps} says the source's rate as soon as two frames have come, at any rate: a
 * 0.5 fps source reads 0.5 from its second frame on and between its frames, a 30 fps one reads 30.
 */
class ActualFpsTest {

    @Test
    void halfAFramePerSecondReadsFromTheSecondFrameAndBetweenFrames() throws Exception {
        try (ServerFixture server = ServerFixture.testPattern(160, 120, 0.5)) {
            assertTrue(Http.eventually(Duration.ofSeconds(15), () -> source(server).get("framesCaptured").asLong() >= 2),
                    "two frames within 15 s");
            // Samples over the next 3 s, between frames and across the next one, each within the rate's margins.
            List<Double> rates = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end && rates.size() < 100) {
                rates.add(source(server).get("actualFps").asDouble());
                Thread.sleep(100);
            }
            for (double rate : rates) {
                assertEquals(0.5, rate, 0.1, "actualFps samples: " + rates);
            }
        }
    }

    @Test
    void thirtyFramesPerSecondReadsThirty() throws Exception {
        try (ServerFixture server = ServerFixture.testPattern(160, 120, 30)) {
            assertTrue(Http.eventually(Duration.ofSeconds(15), () -> source(server).get("framesCaptured").asLong() >= 20),
                    "twenty frames within 15 s");
            double rate = source(server).get("actualFps").asDouble();
            // A loaded machine may deliver late; the rate is still the source's, not 0 and not twice it.
            assertTrue(rate > 15 && rate < 45, "actualFps " + rate);
        }
    }

    private static JsonNode source(ServerFixture server) {
        try {
            return new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("source");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
