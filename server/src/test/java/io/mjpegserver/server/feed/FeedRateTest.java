package io.mjpegserver.server.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The startup line says the rate a file plays at, and whether it is the file's own or --fps's. */
class FeedRateTest {

    @Test
    void theRateAndWhereItComesFrom() {
        CaptureConfig file = new CaptureConfig(new SourceSpec.VideoFile(Path.of("clip.mjpeg")), null, 0, 80, 4);
        assertEquals("25 fps (from the file)", Feed.rate(file, 25));
        assertEquals("29.97 fps (from the file)", Feed.rate(file, 30000 / 1001.0));
        assertEquals("10 fps (from --fps)", Feed.rate(file.withFps(10), 10));
        assertEquals("30 fps", Feed.rate(CaptureConfig.testPattern(), 30), "only a file says where its rate comes from");
    }
}
