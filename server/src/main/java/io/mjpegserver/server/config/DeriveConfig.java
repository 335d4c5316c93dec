package io.mjpegserver.server.config;

import io.mjpegserver.capture.derive.Transform;

/**
 * A feed's derived frames, as configured.
 *
 * @param transform   what is done to every frame before any client sees it (crop, rotate, flip, text), at the
 *                    feed's quality; {@code null} for nothing
 * @param maxVariants the most variants (other sizes or qualities asked for by clients) at once, 0 for none
 */
public record DeriveConfig(Transform transform, int maxVariants) {

    public static final int DEFAULT_MAX_VARIANTS = 8;
    public static final int MOST_VARIANTS = 64;
    public static final DeriveConfig DEFAULTS = new DeriveConfig(null, DEFAULT_MAX_VARIANTS);

    public DeriveConfig {
        if (maxVariants < 0 || maxVariants > MOST_VARIANTS) {
            throw new IllegalArgumentException("maxVariants: " + maxVariants + " (expected: 0 to " + MOST_VARIANTS + ")");
        }
    }
}
