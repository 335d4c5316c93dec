package io.mjpegserver.capture;

/** A frame size in pixels. JPEG 4:2:0 wants even sides, so odd ones are rejected. */
public record VideoSize(int width, int height) {

    public static final int MAX_SIDE = 8192;

    public VideoSize {
        if (width < 16 || width > MAX_SIDE || (width & 1) != 0) {
            throw new IllegalArgumentException("width: " + width + " (expected: an even number from 16 to " + MAX_SIDE + ")");
        }
        if (height < 16 || height > MAX_SIDE || (height & 1) != 0) {
            throw new IllegalArgumentException("height: " + height + " (expected: an even number from 16 to " + MAX_SIDE + ")");
        }
    }

    /** Parses {@code WIDTHxHEIGHT}, e.g. {@code 1280x720}. */
    public static VideoSize parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("'" + text + "' (expected: WIDTHxHEIGHT, e.g. 1280x720)");
        }
        try {
            return new VideoSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' (expected: WIDTHxHEIGHT, e.g. 1280x720)");
        }
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
