package io.mjpegserver.capture.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.testing.PatternMarker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.awt.image.BufferedImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TestPatternSourceTest {

    @ParameterizedTest
    @CsvSource({"320, 240", "1280, 720", "1920, 1080"})
    void drawsDecodableFramesWithTheirNumberAndKnownColours(int width, int height) throws Exception {
        TestPatternSource source = new TestPatternSource(new VideoSize(width, height), 30, 80);
        source.open();
        try {
            int previousBoxX = -1;
            for (long expected = 1; expected <= 3; expected++) {
                ByteBuf jpeg = source.grab(PooledByteBufAllocator.DEFAULT);
                try {
                    BufferedImage image = Jpegs.decode(jpeg);
                    assertEquals(width, image.getWidth());
                    assertEquals(height, image.getHeight());
                    assertEquals(expected, TestPatternCode.read(width, height, (x, y) -> Jpegs.luma(image, x, y)));
                    assertBars(image);
                    assertEquals(PatternMarker.Orientation.UPRIGHT, PatternMarker.find(image));
                    assertTrue(Jpegs.luma(image, 4, 4) > 200, "the corner that tests read is the white bar's");
                    int boxX = boxLeft(image);
                    assertNotEquals(previousBoxX, boxX, "the box moves every frame");
                    previousBoxX = boxX;
                } finally {
                    jpeg.release();
                }
            }
        } finally {
            source.close();
        }
    }

    /** Samples the middle of each bar, in RGB: white, yellow, cyan, green, magenta, red, blue, black. */
    private static void assertBars(BufferedImage image) {
        int[][] expected = {
            {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0}, {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
        };
        int y = image.getHeight() * 3 / 10;
        for (int i = 0; i < 8; i++) {
            int x = image.getWidth() * (2 * i + 1) / 16;
            int rgb = image.getRGB(x, y);
            int[] actual = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
            for (int c = 0; c < 3; c++) {
                assertTrue(Math.abs(actual[c] - expected[i][c]) <= 24,
                        "bar " + i + " channel " + c + ": " + actual[c] + " vs " + expected[i][c]);
            }
        }
    }

    /** Left edge of the orange box in the sweep band: the first pixel strongly red. */
    private static int boxLeft(BufferedImage image) {
        int y = (image.getHeight() * 3 / 5 + TestPatternCode.bandTop(image.getHeight())) / 2;
        for (int x = 0; x < image.getWidth(); x++) {
            if (((image.getRGB(x, y) >> 16) & 0xFF) > 200) {
                return x;
            }
        }
        return -1;
    }
}
