package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.Clips;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A still image as --file is served as a still, never flapping to NO SIGNAL: the stream does not alternate
 * between the picture and NO SIGNAL, and the source is not reopened over and over while /healthz says ok.
 */
class StillImageTest {

    @TempDir
    Path dir;

    @Test
    void aStillIsServedAsAStill() throws Exception {
        for (String name : new String[] {"still.png", "still.jpg"}) {
            Path still = Clips.still(dir.resolve(name), 320, 240, 90);
            // --fps 10 keeps the test short; without it a still goes out once a second.
            CaptureConfig capture = new CaptureConfig(new SourceSpec.VideoFile(still), null, 10, 80, 4);
            try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), capture);
                    StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                byte[] first = null;
                int noSignal = 0;
                for (int i = 0; i < 20; i++) {
                    MultipartStreamReader.Part part = client.next();
                    BufferedImage image = Frames.decode(part.body());
                    if (Math.abs((image.getRGB(4, 4) & 0xFF) - NoSignalImage.BACKGROUND_LEVEL) < 16) {
                        noSignal++;
                        continue;
                    }
                    if (first == null) {
                        first = part.body();
                    }
                    assertArrayEquals(first, part.body(), name + ": the same picture every time");
                }
                JsonNode source = new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("source");
                System.out.printf("%s: %d NO SIGNAL parts of 20, %d reopens%n", name, noSignal, source.get("reopens").asLong());
                assertEquals(0, noSignal, name + ": no NO SIGNAL frame");
                assertEquals(0, source.get("reopens").asLong(), name + ": never reopened: " + source);
                assertTrue(source.get("online").asBoolean());
                assertEquals(200, Http.get(server.url("/healthz")).statusCode());
                if (name.endsWith(".jpg")) {
                    assertArrayEquals(Files.readAllBytes(still), first, "a JPEG still goes out as the file has it");
                }
            }
        }
    }
}
