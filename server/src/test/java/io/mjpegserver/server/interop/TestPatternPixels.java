package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.source.TestPatternCode;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * What a decoded test pattern must look like, for checking images that came out of a real client: the eight
 * colour bars over the top three fifths (white, yellow, cyan, green, magenta, red, blue, black, equal widths)
 * and the frame number code in the bottom band.
 */
final class TestPatternPixels {

    /** The bars, left to right, as RGB. */
    private static final int[][] BARS = {
        {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0}, {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
    };
    private static final String[] NAMES = {"white", "yellow", "cyan", "green", "magenta", "red", "blue", "black"};
    /** Per channel: room for JPEG, chroma subsampling and scaling, still far from any other bar. */
    private static final int TOLERANCE = 48;

    private TestPatternPixels() {
    }

    /** Checks the colour in the middle of each bar of a frame drawn at {@code frame} within {@code image}. */
    static void assertBars(BufferedImage image, Rectangle frame) {
        int y = frame.y + frame.height * 3 / 10;
        for (int bar = 0; bar < BARS.length; bar++) {
            int x = frame.x + frame.width * (2 * bar + 1) / 16;
            int rgb = image.getRGB(x, y);
            int[] got = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
            int[] want = BARS[bar];
            boolean close = true;
            for (int c = 0; c < 3; c++) {
                close &= Math.abs(got[c] - want[c]) <= TOLERANCE;
            }
            String name = NAMES[bar];
            assertTrue(close, () -> "the " + name + " bar at (" + x + "," + y + ") of the frame drawn at " + frame
                    + " is rgb(" + got[0] + "," + got[1] + "," + got[2] + "), expected rgb(" + want[0] + "," + want[1]
                    + "," + want[2] + ") within " + TOLERANCE + " per channel");
        }
    }

    /** Decodes {@code jpeg} ({@code what}, for messages) as a test-pattern frame of {@code width} x {@code height}. */
    static BufferedImage assertFrame(byte[] jpeg, int width, int height, String what) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(image, what + " is not a JPEG ImageIO reads");
        assertEquals(width, image.getWidth(), what);
        assertEquals(height, image.getHeight(), what);
        assertBars(image);
        return image;
    }

    /** The whole image as a frame drawn at its natural size. */
    static void assertBars(BufferedImage image) {
        assertBars(image, new Rectangle(0, 0, image.getWidth(), image.getHeight()));
    }

    /** The frame number burnt into a frame drawn at natural size ({@code width} x {@code height}) at {@code frame}. */
    static long frameNumber(BufferedImage image, Rectangle frame) {
        return TestPatternCode.read(frame.width, frame.height, (x, y) -> luma(image.getRGB(frame.x + x, frame.y + y)));
    }

    /** How many pixels of {@code region} differ between {@code a} and {@code b}: zero for the same picture. */
    static long differingPixels(BufferedImage a, BufferedImage b, Rectangle region) {
        long differing = 0;
        for (int y = region.y; y < region.y + region.height; y++) {
            for (int x = region.x; x < region.x + region.width; x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    differing++;
                }
            }
        }
        return differing;
    }

    static int luma(int rgb) {
        return (299 * ((rgb >> 16) & 0xFF) + 587 * ((rgb >> 8) & 0xFF) + 114 * (rgb & 0xFF)) / 1000;
    }

    /**
     * Finds where a browser drew the pattern in a screenshot. The top-left white pixel is the corner of the
     * white bar; straight below the bars runs the dark grey band across the whole frame, whose end on the right
     * is the frame's right edge (the page around it is darker still). The aspect ratio gives the height.
     */
    static Rectangle locate(BufferedImage shot, int width, int height) {
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                if (isWhite(shot.getRGB(x, y))) {
                    return measure(shot, x, y, width, height);
                }
            }
        }
        throw new AssertionError("no white bar anywhere in the " + shot.getWidth() + "x" + shot.getHeight()
                + " screenshot: the stream was not drawn");
    }

    private static Rectangle measure(BufferedImage shot, int left, int top, int width, int height) {
        int column = left + 4;
        int barsEnd = top;
        while (barsEnd < shot.getHeight() && isWhite(shot.getRGB(column, barsEnd))) {
            barsEnd++;
        }
        int bandRow = Math.min(shot.getHeight() - 1, barsEnd + 3);
        int right = left;
        while (right < shot.getWidth() && isDarkGrey(shot.getRGB(right, bandRow))) {
            right++;
        }
        int drawnWidth = right - left;
        if (drawnWidth < width / 4) {
            throw new AssertionError("found the white bar at (" + left + "," + top + ") but no dark grey band "
                    + "below the bars at row " + bandRow + ": not the test pattern");
        }
        return new Rectangle(left, top, drawnWidth, (int) Math.round(drawnWidth * (double) height / width));
    }

    /** The band under the bars is grey 40; the viewer page around the stream is #111 (17). */
    private static boolean isDarkGrey(int rgb) {
        int luma = luma(rgb);
        return luma >= 28 && luma <= 60;
    }

    private static boolean isWhite(int rgb) {
        return ((rgb >> 16) & 0xFF) > 200 && ((rgb >> 8) & 0xFF) > 200 && (rgb & 0xFF) > 200;
    }
}
