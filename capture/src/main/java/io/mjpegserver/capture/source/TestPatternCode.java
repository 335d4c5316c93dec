package io.mjpegserver.capture.source;

/**
 * The machine-readable frame number the test pattern burns into its bottom-right corner: 32 bits, most
 * significant first, in two rows of 16 square cells, white for 1 and black for 0. Large enough cells survive
 * JPEG at any sensible quality, so a test (or a load client) that decodes a frame can tell which frame it is.
 */
public final class TestPatternCode {

    /** Reads the luma (0-255) of one pixel of a decoded frame. */
    @FunctionalInterface
    public interface LumaSampler {
        int luma(int x, int y);
    }

    static final int BITS = 32;
    static final int PER_ROW = 16;

    private TestPatternCode() {
    }

    /** Side of one cell, in pixels, for a frame of this width. */
    static int cell(int width) {
        return Math.max(6, width / 48);
    }

    /** Left edge of the code. */
    static int left(int width) {
        return width - (PER_ROW + 1) * cell(width);
    }

    /** Top edge of the code: two rows centred in the bottom band. */
    static int top(int width, int height) {
        int band = bandTop(height);
        return band + (height - band) / 2 - cell(width);
    }

    /** Top of the grey band that holds the text and the code. */
    static int bandTop(int height) {
        return height - height / 5;
    }

    /**
     * Side of the orientation marker's squares: red at ({@code side}, {@code side}) from the top-left corner, green
     * two sides to its right, so a test can tell every rotation and flip of a frame apart. Inside the white bar's
     * top, clear of the corner pixels that tests read.
     */
    public static int markerSide(int width, int height) {
        return Math.max(6, Math.min(width, height) / 20);
    }

    /** Reads the frame number from a decoded test-pattern frame of the given size. */
    public static long read(int width, int height, LumaSampler sampler) {
        int cell = cell(width);
        int left = left(width);
        int top = top(width, height);
        long value = 0;
        for (int bit = 0; bit < BITS; bit++) {
            int x = left + (bit % PER_ROW) * cell + cell / 2;
            int y = top + (bit / PER_ROW) * cell + cell / 2;
            value = (value << 1) | (sampler.luma(x, y) >= 128 ? 1 : 0);
        }
        return value;
    }
}
