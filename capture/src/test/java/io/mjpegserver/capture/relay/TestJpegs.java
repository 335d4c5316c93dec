package io.mjpegserver.capture.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** JPEGs for relay tests, made and decoded by ImageIO (not by anything the relay uses). */
final class TestJpegs {

    private TestJpegs() {
    }

    /**
     * {@code count} distinct JPEGs of noise (so their bytes hold every value, dashes and line ends included, as a
     * real camera's do) with a frame number in the top-left pixel block.
     */
    static List<byte[]> make(int count, int width, int height) {
        Random random = new Random(42);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    image.setRGB(x, y, random.nextInt(0x1000000));
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                ImageIO.write(image, "jpeg", bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(bytes.toByteArray());
        }
        return out;
    }

    /** {@code jpeg} with a comment segment (COM, FF FE) holding {@code text} right after SOI: still a valid JPEG. */
    static byte[] withComment(byte[] jpeg, String text) {
        byte[] comment = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] out = new byte[jpeg.length + 4 + comment.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xFE;
        out[4] = (byte) ((comment.length + 2) >> 8);
        out[5] = (byte) (comment.length + 2);
        System.arraycopy(comment, 0, out, 6, comment.length);
        System.arraycopy(jpeg, 2, out, 6 + comment.length, jpeg.length - 2);
        return out;
    }

    /** Checks {@code jpeg} is whole (SOI ... EOI) and decodes; returns the image. */
    static BufferedImage decode(byte[] jpeg) throws IOException {
        assertEquals(0xFF, jpeg[0] & 0xFF, "SOI");
        assertEquals(0xD8, jpeg[1] & 0xFF, "SOI");
        assertEquals(0xFF, jpeg[jpeg.length - 2] & 0xFF, "EOI");
        assertEquals(0xD9, jpeg[jpeg.length - 1] & 0xFF, "EOI");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(image, "ImageIO decodes it");
        return image;
    }
}
