package io.mjpegserver.capture.jpeg;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.encode.JpegEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * JPEGs for the stage's tests, and an independent reading of their segments: these walkers assume well-formed
 * input (no fill bytes) and share no code with {@link JpegHeaders}.
 */
final class TestJpegs {

    static final int DHT = 0xC4;
    static final int SOS = 0xDA;
    static final int APP0 = 0xE0;

    private TestJpegs() {
    }

    /**
     * A textured image (gradients, edges and noise, so long Huffman codes occur) encoded by OpenCV's
     * libjpeg-turbo at quality 80 with optimisation off, as the server encodes.
     */
    static byte[] encode(int width, int height, long seed) throws Exception {
        byte[] pixels = new byte[width * height * 3];
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                boolean noisy = ((x / 64) + (y / 64)) % 3 == 0;
                pixels[i] = (byte) (noisy ? random.nextInt(256) : x * 255 / width);
                pixels[i + 1] = (byte) (noisy ? random.nextInt(256) : y * 255 / height);
                pixels[i + 2] = (byte) (((x / 16) % 2 == (y / 16) % 2) ? 230 : 20);
            }
        }
        try (Mat image = new Mat(height, width, CV_8UC3); JpegEncoder encoder = new JpegEncoder(80)) {
            image.data().put(pixels);
            ByteBuf jpeg = encoder.encode(image, UnpooledByteBufAllocator.DEFAULT);
            try {
                return ByteBufUtil.getBytes(jpeg);
            } finally {
                jpeg.release();
            }
        }
    }

    /** The offsets of the marker segments of type {@code marker} before the first SOS. */
    static int[] segments(byte[] jpeg, int marker) {
        int[] found = new int[0];
        int at = 2;
        while (true) {
            assertEquals((byte) 0xFF, jpeg[at], "a marker at " + at);
            int type = jpeg[at + 1] & 0xFF;
            if (type == marker) {
                found = Arrays.copyOf(found, found.length + 1);
                found[found.length - 1] = at;
            }
            if (type == SOS) {
                return found;
            }
            at += 2 + length(jpeg, at);
        }
    }

    /** The length field of the segment whose marker is at {@code at}. */
    static int length(byte[] jpeg, int at) {
        return ((jpeg[at + 2] & 0xFF) << 8) | (jpeg[at + 3] & 0xFF);
    }

    /** {@code jpeg} without its DHT segments. */
    static byte[] withoutTables(byte[] jpeg) {
        int[] tables = segments(jpeg, DHT);
        assertTrue(tables.length > 0, "the encoder wrote DHT segments");
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        int from = 0;
        for (int at : tables) {
            out.write(jpeg, from, at - from);
            from = at + 2 + length(jpeg, at);
        }
        out.write(jpeg, from, jpeg.length - from);
        byte[] stripped = out.toByteArray();
        assertEquals(0, segments(stripped, DHT).length);
        return stripped;
    }

    /** {@code jpeg} with its JFIF APP0 replaced by the Motion-JPEG "AVI1" APP0 a UVC camera sends. */
    static byte[] withAvi1(byte[] jpeg) {
        int[] app0 = segments(jpeg, APP0);
        assertEquals(1, app0.length, "one APP0 (JFIF)");
        int at = app0[0];
        assertEquals("JFIF", new String(jpeg, at + 4, 4, StandardCharsets.US_ASCII));
        // APP0, length 16, "AVI1", polarity 0 (not interlaced), reserved, two 32-bit field sizes of 0.
        byte[] avi1 = {(byte) 0xFF, (byte) 0xE0, 0, 16, 'A', 'V', 'I', '1', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        return splice(jpeg, at, 2 + length(jpeg, at), avi1);
    }

    /** {@code jpeg} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    static byte[] splice(byte[] jpeg, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + insert.length);
        out.write(jpeg, 0, at);
        out.write(insert, 0, insert.length);
        out.write(jpeg, at + remove, jpeg.length - at - remove);
        return out.toByteArray();
    }

    /** The BGR pixels OpenCV's libjpeg-turbo decodes from {@code jpeg}. */
    static byte[] decodeWithOpenCv(byte[] jpeg) {
        try (Mat encoded = new Mat(jpeg); Mat image = imdecode(encoded, IMREAD_COLOR)) {
            assertFalse(image.empty(), "OpenCV decodes the JPEG");
            byte[] pixels = new byte[Math.toIntExact(image.total() * image.channels())];
            image.data().get(pixels);
            return pixels;
        }
    }

    /** The pixels the JDK's own decoder (ImageIO, IJG libjpeg 6b) decodes from {@code jpeg}. */
    static byte[] decodeWithImageIo(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        if (image == null) {
            throw new IOException("ImageIO found no image");
        }
        return ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    }
}
