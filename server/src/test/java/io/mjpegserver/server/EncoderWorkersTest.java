package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.server.testing.StreamClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --workers N} (and a feed's {@code workers:}): the test pattern is encoded on N threads and still reaches
 * clients in the order it was drawn. Each frame carries the number it was drawn with ({@code TestPatternCode}) and
 * the sequence number it was published with ({@code X-Frame-Sequence}): published in drawing order, the two grow
 * together, whatever frames a client skips. Real encodes seldom finish out of order, so this is the check that the
 * flag reaches the real command's pipeline and its frames stay whole and ordered; what guards the reorder itself is
 * {@code EncoderPoolTest}, whose workers finish out of order on purpose.
 */
class EncoderWorkersTest {

    @TempDir
    Path dir;

    /** Reads {@code parts} parts of {@code server}'s stream: sequence numbers grow, each with its drawn number. */
    private static void inDrawingOrder(ServerProcess server, String path, int width, int height, int parts) throws Exception {
        try (StreamClient client = StreamClient.open(server.port(), path, "1.1")) {
            long offset = 0;
            long last = 0;
            for (int i = 0; i < parts; i++) {
                MultipartStreamReader.Part part = client.next();
                long drawn = Frames.frameNumber(part.body(), width, height);
                assertTrue(part.sequence() > last, "sequence numbers grow: " + last + " then " + part.sequence());
                if (i == 0) {
                    offset = drawn - part.sequence();
                }
                assertEquals(offset, drawn - part.sequence(), "frame " + drawn + " published as " + part.sequence()
                        + ": published in drawing order");
                last = part.sequence();
            }
        }
    }

    @Test
    void threeWorkersKeepTheDrawingOrder() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "/snapshot", "--test-pattern", "--size", "640x360",
                "--fps", "60", "--workers", "3")) {
            inDrawingOrder(server, "/stream", 640, 360, 120);
        }
    }

    @Test
    void aFeedsWorkersComeFromTheConfigFile() throws Exception {
        Path config = Files.writeString(dir.resolve("feeds.yaml"), """
                feeds:
                  big:   { test-pattern: true, size: 640x360, fps: 60, workers: 2 }
                  small: { test-pattern: true, size: 320x180, workers: auto }
                """);
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "/cam/small/snapshot", "--config", config.toString())) {
            inDrawingOrder(server, "/cam/big/stream", 640, 360, 60);
            inDrawingOrder(server, "/cam/small/stream", 320, 180, 20);
        }
    }
}
