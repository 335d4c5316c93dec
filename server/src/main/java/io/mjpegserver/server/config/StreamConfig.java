package io.mjpegserver.server.config;

import io.mjpegserver.server.stream.MultipartFormat;
import java.time.Duration;

/**
 * How every stream is written. Validated once, immutable.
 *
 * @param repeat      how long without a new frame before the newest is sent again
 * @param allowOrigin the CORS origin allowed ({@code *} for any), or {@code null} for no CORS headers
 */
public record StreamConfig(String boundary, Duration repeat, String allowOrigin) {

    /** mjpg-streamer's boundary, the newest frame again each second, no CORS. */
    public static final StreamConfig DEFAULTS = new StreamConfig(MultipartFormat.DEFAULT_BOUNDARY, Duration.ofSeconds(1), null);

    public StreamConfig {
        MultipartFormat.checkBoundary(boundary);
        if (repeat == null || repeat.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("repeat: " + repeat + " (expected: at least 10 ms)");
        }
        if (allowOrigin != null && allowOrigin.isBlank()) {
            throw new IllegalArgumentException("allowOrigin: '' (expected: an origin such as https://nvr.example or *)");
        }
    }
}
