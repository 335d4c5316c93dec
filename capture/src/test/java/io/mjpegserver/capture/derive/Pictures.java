package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.JpegEncoder;
import io.mjpegserver.capture.source.FrameSources;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import java.util.Arrays;

/** JPEGs for the derive tests (the real test pattern, or drawn boxes), and decoding with ImageIO, not OpenCV. */
final class Pictures {

    private Pictures() {
    }

    /** The first frame of the test pattern at {@code width} x {@code height}, quality 80. */
    static byte[] pattern(int width, int height) throws Exception {
        try (FrameSource source = FrameSources.create(CaptureConfig.testPattern().withSize(new VideoSize(width, height)))) {
            source.open();
            ByteBuf jpeg = source.grab(UnpooledByteBufAllocator.DEFAULT);
            try {
                return ByteBufUtil.getBytes(jpeg);
            } finally {
                jpeg.release();
            }
        }
    }

    /** One BGR box to draw: {@code x, y, width, height, b, g, r}. */
    static int[] box(int x, int y, int width, int height, int b, int g, int r) {
        return new int[] {x, y, width, height, b, g, r};
    }

    /** An image of one grey {@code level} with {@code boxes} drawn on it, encoded at {@code quality}. */
    static byte[] drawn(int width, int height, int level, int quality, int[]... boxes) throws Exception {
        try (Mat image = new Mat(height, width, CV_8UC3); Scalar grey = new Scalar(level, level, level, 0);
                JpegEncoder encoder = new JpegEncoder(quality)) {
            image.put(grey);
            for (int[] b : boxes) {
                try (Rect rect = new Rect(b[0], b[1], b[2], b[3]); Scalar colour = new Scalar(b[4], b[5], b[6], 0)) {
                    rectangle(image, rect, colour, -1, 8, 0);
                }
            }
            ByteBuf jpeg = encoder.encode(image, UnpooledByteBufAllocator.DEFAULT);
            try {
                return ByteBufUtil.getBytes(jpeg);
            } finally {
                jpeg.release();
            }
        }
    }

    /** {@code jpeg} in a direct buffer; the caller releases it. */
    static ByteBuf direct(byte[] jpeg) {
        return UnpooledByteBufAllocator.DEFAULT.directBuffer(jpeg.length).writeBytes(jpeg);
    }

    /** {@code jpeg} in two parts, as frames with Huffman tables composed in are; the caller releases it. */
    static ByteBuf composite(byte[] jpeg) {
        int half = jpeg.length / 2;
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, direct(Arrays.copyOfRange(jpeg, 0, half)));
        composite.addComponent(true, Unpooled.wrappedBuffer(Arrays.copyOfRange(jpeg, half, jpeg.length)));
        return composite;
    }

    /** Decodes {@code jpeg} (not released). */
    static BufferedImage decode(ByteBuf jpeg) {
        try {
            BufferedImage image = ImageIO.read(new ByteBufInputStream(jpeg.duplicate()));
            assertNotNull(image, "a JPEG ImageIO decodes");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes {@code jpeg} (released here) and checks its size. */
    static BufferedImage decodeAndRelease(ByteBuf jpeg, int width, int height) {
        try {
            BufferedImage image = decode(jpeg);
            assertEquals(width + "x" + height, image.getWidth() + "x" + image.getHeight(), "the output's size");
            return image;
        } finally {
            jpeg.release();
        }
    }

    static int[] rgb(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return new int[] {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
    }

    /** Whether the pixel is within {@code tolerance} of {@code r, g, b} on every channel. */
    static boolean near(BufferedImage image, int x, int y, int r, int g, int b, int tolerance) {
        int[] c = rgb(image, x, y);
        return Math.abs(c[0] - r) <= tolerance && Math.abs(c[1] - g) <= tolerance && Math.abs(c[2] - b) <= tolerance;
    }
}
