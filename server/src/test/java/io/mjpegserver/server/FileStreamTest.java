package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.Clips;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clip the test makes streams, loops, and (being MJPEG) reaches clients byte for byte as the file has it. */
class FileStreamTest {

    private static final int CLIP_FRAMES = 10;

    @TempDir
    Path dir;

    @Test
    void anMjpegClipStreamsLoopsAndPassesThrough() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.avi"), Clips.Codec.MJPEG_AVI, 320, 240, CLIP_FRAMES, 30);
        CaptureConfig capture = new CaptureConfig(new SourceSpec.VideoFile(clip), null, 0, 80, 4);
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), capture);
                StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
            List<byte[]> parts = new ArrayList<>();
            List<Long> sequences = new ArrayList<>();
            for (int i = 0; i < 3 * CLIP_FRAMES; i++) {
                var part = client.next();
                parts.add(part.body());
                sequences.add(part.sequence());
            }
            // Line the parts up by capture sequence: frame s of the file is frame s mod CLIP_FRAMES.
            for (int i = 0; i + 1 < parts.size(); i++) {
                for (int j = i + 1; j < parts.size(); j++) {
                    long a = sequences.get(i);
                    long b = sequences.get(j);
                    if (b - a == CLIP_FRAMES) {
                        assertArrayEquals(parts.get(i), parts.get(j), "frame " + a + " and " + b + " are the same frame of the loop");
                    } else if (b != a && (b - a) % CLIP_FRAMES != 0) {
                        assertFalse(Arrays.equals(parts.get(i), parts.get(j)), "frames " + a + " and " + b + " differ");
                    }
                }
            }
            BufferedImage image = Frames.decode(parts.get(0));
            assertEquals(320, image.getWidth());
            assertEquals(240, image.getHeight());
            assertEquals(3 * CLIP_FRAMES, sequences.size());
        }
    }
}
