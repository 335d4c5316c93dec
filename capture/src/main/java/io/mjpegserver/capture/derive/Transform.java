package io.mjpegserver.capture.derive;

import io.mjpegserver.capture.VideoSize;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a derived stream does to each source frame, in this order: crop, rotate, flip, scale, text overlay, encode
 * at {@code quality} (1 to 100). {@code crop} (in source pixels), {@code scale} and {@code overlay} may be
 * {@code null}: none.
 */
public record Transform(Crop crop, Rotation rotation, Flip flip, Scale scale, Overlay overlay, int quality) {

    public Transform {
        rotation = rotation == null ? Rotation.NONE : rotation;
        flip = flip == null ? Flip.NONE : flip;
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality: " + quality + " (expected: 1 to 100)");
        }
    }

    /** Re-encoding at {@code quality}, the geometry untouched. */
    public static Transform quality(int quality) {
        return new Transform(null, Rotation.NONE, Flip.NONE, null, null, quality);
    }

    public Transform withCrop(Crop crop) {
        return new Transform(crop, rotation, flip, scale, overlay, quality);
    }

    public Transform withRotation(Rotation rotation) {
        return new Transform(crop, rotation, flip, scale, overlay, quality);
    }

    public Transform withFlip(Flip flip) {
        return new Transform(crop, rotation, flip, scale, overlay, quality);
    }

    public Transform withScale(Scale scale) {
        return new Transform(crop, rotation, flip, scale, overlay, quality);
    }

    public Transform withOverlay(Overlay overlay) {
        return new Transform(crop, rotation, flip, scale, overlay, quality);
    }

    public Transform withQuality(int quality) {
        return new Transform(crop, rotation, flip, scale, overlay, quality);
    }

    /** Whether frames come out with the source's pixels where they were: no crop, rotation, flip or scale. */
    public boolean keepsGeometry() {
        return crop == null && rotation == Rotation.NONE && flip == Flip.NONE && scale == null;
    }

    /** The exact size of what comes out of a frame of {@code input}'s size. */
    public VideoSize outputSize(VideoSize input) {
        Geometry g = Geometry.of(this, input.width(), input.height());
        return new VideoSize(g.outWidth(), g.outHeight());
    }

    /** A rectangle of the source, {@code WxH+X+Y} as ImageMagick and motion write it. */
    public record Crop(int width, int height, int x, int y) {

        private static final Pattern SYNTAX = Pattern.compile("(\\d{1,5})x(\\d{1,5})\\+(\\d{1,5})\\+(\\d{1,5})");

        public Crop {
            if (width < 16 || height < 16 || (width & 1) != 0 || (height & 1) != 0 || x < 0 || y < 0
                    || width > VideoSize.MAX_SIDE || height > VideoSize.MAX_SIDE) {
                throw new IllegalArgumentException("crop: " + width + "x" + height + "+" + x + "+" + y
                        + " (expected: even width and height from 16 to " + VideoSize.MAX_SIDE + ", x and y >= 0)");
            }
        }

        /** Parses {@code WxH+X+Y}, e.g. {@code 640x360+320+180}. */
        public static Crop parse(String text) {
            Matcher m = SYNTAX.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("crop: '" + text + "' (expected: WxH+X+Y, e.g. 640x360+320+180)");
            }
            return new Crop(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)));
        }

        @Override
        public String toString() {
            return width + "x" + height + "+" + x + "+" + y;
        }
    }

    /** A clockwise rotation by a quarter turn or more. */
    public enum Rotation {
        NONE(0), CW90(90), CW180(180), CW270(270);

        private final int degrees;

        Rotation(int degrees) {
            this.degrees = degrees;
        }

        public static Rotation ofDegrees(int degrees) {
            for (Rotation r : values()) {
                if (r.degrees == degrees) {
                    return r;
                }
            }
            throw new IllegalArgumentException("rotate: " + degrees + " (expected: 0, 90, 180 or 270)");
        }

        public int degrees() {
            return degrees;
        }

        /** Whether it swaps width and height. */
        boolean quarter() {
            return this == CW90 || this == CW270;
        }
    }

    /** A mirror image: left-right ({@code horizontal}) or upside down ({@code vertical}). */
    public enum Flip {
        NONE, HORIZONTAL, VERTICAL;

        public static Flip parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "none" -> NONE;
                case "horizontal" -> HORIZONTAL;
                case "vertical" -> VERTICAL;
                default -> throw new IllegalArgumentException("flip: '" + text + "' (expected: horizontal, vertical or none)");
            };
        }
    }

    /**
     * An output size: 0 on one side means from the other keeping the aspect ratio, rounded to even; an odd side is
     * rounded down to even.
     */
    public record Scale(int width, int height) {

        public Scale {
            if (width < 0 || height < 0 || (width == 0 && height == 0) || width > VideoSize.MAX_SIDE
                    || height > VideoSize.MAX_SIDE) {
                throw new IllegalArgumentException("scale: " + width + "x" + height
                        + " (expected: width and height from 0 to " + VideoSize.MAX_SIDE + ", not both 0)");
            }
        }

        /** The size a frame of {@code input}'s size is scaled to. */
        public VideoSize of(VideoSize input) {
            return new VideoSize(widthFor(input.width(), input.height()), heightFor(input.width(), input.height()));
        }

        int widthFor(int inWidth, int inHeight) {
            return width != 0 ? side(width & ~1) : side(2 * Math.round((double) height * inWidth / inHeight / 2));
        }

        int heightFor(int inWidth, int inHeight) {
            return height != 0 ? side(height & ~1) : side(2 * Math.round((double) width * inHeight / inWidth / 2));
        }

        /** Within what a {@link VideoSize} takes. */
        private static int side(long even) {
            return (int) Math.max(16, Math.min(VideoSize.MAX_SIDE, even));
        }
    }

    /**
     * Text drawn on every live frame: {@code format} in strftime style ({@code %Y-%m-%d %H:%M:%S}, and {@code %$}
     * for the feed's name, as motion writes it), in the JVM's time zone.
     */
    public record Overlay(String format, Position position) {

        public Overlay {
            if (format == null || format.isEmpty()) {
                throw new IllegalArgumentException("text: '' (expected: a format such as '%$ %Y-%m-%d %H:%M:%S')");
            }
            position = position == null ? Position.TOP_LEFT : position;
        }

        /** Where the text goes. */
        public enum Position {
            TOP_LEFT, TOP_RIGHT;

            public static Position parse(String text) {
                String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
                return switch (t) {
                    case "top-left" -> TOP_LEFT;
                    case "top-right" -> TOP_RIGHT;
                    default -> throw new IllegalArgumentException("text position: '" + text
                            + "' (expected: top-left or top-right)");
                };
            }
        }
    }
}
