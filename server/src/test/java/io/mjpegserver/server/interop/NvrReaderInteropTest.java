package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.TestPatternServer;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NVR-style readers (see {@link NvrStyleReader}) on mjpg-streamer's URL scheme and ours: ZoneMinder's HTTP/1.0
 * remote monitor (both its parse methods), Home Assistant's still cut out of the stream, and the still-image URLs
 * NVR presets use. The
 * boundary must be mjpg-streamer's {@code boundarydonotcross}, which those presets expect.
 */
class NvrReaderInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    /** NVRs give up on a camera that stays silent; the head must come at once. */
    private static final Duration HEAD_WITHIN = Duration.ofSeconds(1);

    @RegisterExtension
    static final TestPatternServer fixture = new TestPatternServer(WIDTH, HEIGHT, 30);

    @ParameterizedTest
    @ValueSource(strings = {"/?action=stream", "/stream", "/stream.mjpg"})
    void zoneMinderHttp10RemoteMonitorReadsFrames(String path) throws IOException {
        try (NvrStyleReader reader = NvrStyleReader.open(fixture.port(), path, HEAD_WITHIN)) {
            NvrStyleReader.Head head = reader.head();
            assertEquals("1.0", head.httpVersion(), head.text());
            assertEquals(200, head.status(), head.text());
            assertEquals("multipart/x-mixed-replace", head.contentType(), head.text());
            assertEquals(ServerFixture.BOUNDARY, head.boundary(), "the boundary as ZoneMinder extracts it");
            assertFramesGoForward(reader::nextImage);
        }
    }

    /** ZoneMinder's default "simple" method takes the boundary verbatim: it must be bare, as mjpg-streamer sends it. */
    @Test
    void zoneMinderSimpleMethodReadsFrames() throws IOException {
        try (NvrStyleReader reader = NvrStyleReader.open(fixture.port(), "/?action=stream", HEAD_WITHIN)) {
            assertFramesGoForward(reader::nextImageSimple);
        }
    }

    /**
     * Home Assistant's still from the stream is a whole frame of the right size: a JPEG cut short at a stray
     * {@code FF D9} would not decode, or would lose its bottom band and with it the frame number.
     */
    @Test
    void homeAssistantStillCutAtTheFirstEoiIsAWholeFrame() throws IOException {
        try (NvrStyleReader reader = NvrStyleReader.open(fixture.port(), "/stream", HEAD_WITHIN)) {
            long frame = decodeAndCheck(reader.stillCutAtFirstEoi());

            assertTrue(frame > 0, "frame number " + frame + " read from the bottom band of the still");
        }
    }

    /**
     * The still-image URLs: Home Assistant's still_image_url, mjpg-streamer's {@code ?action=snapshot}, read as
     * ZoneMinder reads a single image.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/?action=snapshot", "/snapshot", "/snapshot.jpg"})
    void snapshotUrlsGiveOneJpeg(String path) throws IOException {
        try (NvrStyleReader reader = NvrStyleReader.open(fixture.port(), path, HEAD_WITHIN)) {
            NvrStyleReader.Head head = reader.head();
            assertEquals(200, head.status(), head.text());
            assertEquals("image/jpeg", head.contentType(), head.text());
            assertTrue(head.contentLength() > 0, () -> "no Content-Length: " + head.text());

            decodeAndCheck(reader.singleImage());
        }
    }

    /** Decodes {@code jpeg} as a test-pattern frame of the configured size and returns its frame number. */
    /** One way of reading the next image off the stream. */
    private interface ImageRead {
        byte[] next() throws IOException;
    }

    /** Five images read with {@code read} decode, and their frame numbers go forward. */
    private static void assertFramesGoForward(ImageRead read) throws IOException {
        List<Long> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            frames.add(decodeAndCheck(read.next()));
        }
        assertTrue(frames.get(4) > frames.get(0), () -> "frame numbers ZoneMinder read: " + frames);
    }

    private static long decodeAndCheck(byte[] jpeg) throws IOException {
        assertTrue(jpeg.length > 4 && (jpeg[0] & 0xFF) == 0xFF && (jpeg[1] & 0xFF) == 0xD8
                && (jpeg[jpeg.length - 2] & 0xFF) == 0xFF && (jpeg[jpeg.length - 1] & 0xFF) == 0xD9,
                "the image is not FF D8 ... FF D9");
        BufferedImage image = TestPatternPixels.assertFrame(jpeg, WIDTH, HEIGHT, "the image");
        return TestPatternPixels.frameNumber(image, new Rectangle(0, 0, WIDTH, HEIGHT));
    }
}
