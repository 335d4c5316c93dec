package io.mjpegserver.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.encode.NoSignalImage;
import io.mjpegserver.capture.source.TestPatternCode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Decoding streamed test-pattern frames with ImageIO (not the encoder that made them). */
public final class Frames {

    private Frames() {
    }

    public static BufferedImage decode(byte[] jpeg) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertNotNull(image, "ImageIO decodes the JPEG");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether a streamed test-pattern frame is live (its white bar in the corner) rather than NO SIGNAL (dark
     * there); asserts it is one of the two, {@code width} wide, as NO SIGNAL frames keep the stream's size.
     */
    public static boolean live(byte[] jpeg, int width) {
        BufferedImage image = decode(jpeg);
        assertEquals(width, image.getWidth(), "NO SIGNAL frames keep the stream's size");
        int level = image.getRGB(4, 4) & 0xFF;
        if (level > 200) {
            return true;
        }
        assertTrue(Math.abs(level - NoSignalImage.BACKGROUND_LEVEL) < 16, "a NO SIGNAL frame: " + level);
        return false;
    }

    /** Decodes a test-pattern frame of the given size and returns the frame number burned into it. */
    public static long frameNumber(byte[] jpeg, int width, int height) {
        BufferedImage image = decode(jpeg);
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
        return TestPatternCode.read(width, height, (x, y) -> {
            int rgb = image.getRGB(x, y);
            return (((rgb >> 16) & 0xFF) * 299 + ((rgb >> 8) & 0xFF) * 587 + (rgb & 0xFF) * 114) / 1000;
        });
    }
}
