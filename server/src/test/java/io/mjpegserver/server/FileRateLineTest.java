package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The startup line says the rate a file plays at, and whether it is the file's own or --fps's. */
class FileRateLineTest {

    @Test
    void theRateAndWhereItComesFrom() {
        CaptureConfig file = new CaptureConfig(new SourceSpec.VideoFile(Path.of("clip.mjpeg")), null, 0, 80, 4);
        assertEquals("at 25 fps (from the file) ", MjpegServer.fileRate(file, 25));
        assertEquals("at 29.97 fps (from the file) ", MjpegServer.fileRate(file, 30000 / 1001.0));
        assertEquals("at 10 fps (from --fps) ", MjpegServer.fileRate(file.withFps(10), 10));
        assertEquals("", MjpegServer.fileRate(CaptureConfig.testPattern(), 30), "only for a file");
    }
}
