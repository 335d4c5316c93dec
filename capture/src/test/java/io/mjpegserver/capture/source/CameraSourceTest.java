package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_RAWVIDEO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CameraSourceTest {

    @Test
    void aMissingCameraFailsFastNamingTheDeviceAndTheWayOut() {
        int index = 63;
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(new SourceSpec.Camera(index).devicePath()));
        CameraSource camera = new CameraSource(new SourceSpec.Camera(index), new VideoSize(640, 480), 30, 80);
        SourceException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(SourceException.class, camera::open));
        assertEquals("camera /dev/video63 not found: connect a camera, pick another with --device N,"
                + " or stream the built-in test pattern with --test-pattern", e.getMessage());
        camera.close();
    }

    /** MJPEG is passed through at whatever size the camera gives; any other format is encoded. */
    @Test
    void onlyMjpegIsPassedThrough() {
        assertTrue(CameraSource.passesThrough(AV_CODEC_ID_MJPEG));
        assertFalse(CameraSource.passesThrough(AV_CODEC_ID_RAWVIDEO), "YUYV: encoded");
    }
}
