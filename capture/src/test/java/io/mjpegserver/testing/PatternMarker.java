package io.mjpegserver.testing;

import java.awt.image.BufferedImage;

/**
 * Finds the test pattern's orientation marker (a red square near its top-left corner, a green one to its right, see
 * {@code TestPatternCode.markerSide}) in a decoded frame: which corner of the frame the pattern's top-left went to,
 * and which way its top edge runs from there. Tells every rotation and flip apart.
 */
public final class PatternMarker {

    /** A corner of the frame. */
    public enum Corner { TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT }

    /** A direction in the frame. */
    public enum Direction { RIGHT, DOWN, LEFT, UP }

    /** Where the pattern's top-left corner is, and which way its top edge runs from it. */
    public record Orientation(Corner corner, Direction topEdge) {

        /** The pattern as drawn. */
        public static final Orientation UPRIGHT = new Orientation(Corner.TOP_LEFT, Direction.RIGHT);

        /** Where an upright pattern ends up once turned {@code degrees} clockwise, then flipped. */
        public static Orientation after(int degrees, boolean flipHorizontal, boolean flipVertical) {
            int cx = 0;
            int cy = 0;
            int dx = 1;
            int dy = 0;
            for (int turn = 0; turn < (degrees / 90) % 4; turn++) {
                int x = cx;
                cx = 1 - cy;
                cy = x;
                int d = dx;
                dx = -dy;
                dy = d;
            }
            if (flipHorizontal) {
                cx = 1 - cx;
                dx = -dx;
            }
            if (flipVertical) {
                cy = 1 - cy;
                dy = -dy;
            }
            return new Orientation(Corner.values()[cy * 2 + cx], direction(dx, dy));
        }
    }

    /** The share of each side searched from each corner. */
    private static final double CORNER = 0.3;

    private PatternMarker() {
    }

    /** The marker's orientation in {@code image}; fails when there is no marker in one of its corners. */
    public static Orientation find(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int cw = (int) (w * CORNER);
        int ch = (int) (h * CORNER);
        for (Corner corner : Corner.values()) {
            int x0 = corner == Corner.TOP_RIGHT || corner == Corner.BOTTOM_RIGHT ? w - cw : 0;
            int y0 = corner == Corner.BOTTOM_LEFT || corner == Corner.BOTTOM_RIGHT ? h - ch : 0;
            double[] red = centroid(image, x0, y0, cw, ch, true);
            double[] green = centroid(image, x0, y0, cw, ch, false);
            if (red != null && green != null) {
                double dx = green[0] - red[0];
                double dy = green[1] - red[1];
                Direction d = Math.abs(dx) >= Math.abs(dy) ? direction((int) Math.signum(dx), 0)
                        : direction(0, (int) Math.signum(dy));
                return new Orientation(corner, d);
            }
        }
        throw new AssertionError("no orientation marker (red and green squares) in any corner of the " + w + "x" + h
                + " image");
    }

    private static Direction direction(int dx, int dy) {
        if (dx != 0) {
            return dx > 0 ? Direction.RIGHT : Direction.LEFT;
        }
        return dy > 0 ? Direction.DOWN : Direction.UP;
    }

    /** The mean position of the strongly red (or green) pixels in a region, or {@code null} when there are few. */
    private static double[] centroid(BufferedImage image, int x0, int y0, int width, int height, boolean red) {
        long sx = 0;
        long sy = 0;
        int n = 0;
        for (int y = y0; y < y0 + height; y++) {
            for (int x = x0; x < x0 + width; x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                boolean hit = red ? r > 170 && g < 100 && b < 100 : g > 170 && r < 100 && b < 100;
                if (hit) {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        return n < 4 ? null : new double[] {sx / (double) n, sy / (double) n};
    }
}
