package io.mjpegserver.capture;

/**
 * How to capture: validated once, immutable.
 *
 * @param source   what to capture
 * @param size     the output size; {@code null} keeps a file's own ({@link #DEFAULT_SIZE} for the others)
 * @param fps      the output rate; 0 the source's own ({@link #DEFAULT_FPS} for the test pattern and cameras)
 * @param quality  JPEG quality, 1-100
 * @param ringSize how many of the newest frames the ring keeps
 */
public record CaptureConfig(SourceSpec source, VideoSize size, double fps, int quality, int ringSize) {

    public static final VideoSize DEFAULT_SIZE = new VideoSize(1280, 720);
    public static final double DEFAULT_FPS = 30;
    public static final double MAX_FPS = 240;

    public CaptureConfig {
        if (source == null) {
            throw new IllegalArgumentException("source: null (expected: a source)");
        }
        if (!(fps == 0 || (fps >= 0.1 && fps <= MAX_FPS))) {
            throw new IllegalArgumentException("fps: " + fps + " (expected: 0.1 to " + (int) MAX_FPS + ")");
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality: " + quality + " (expected: 1 to 100)");
        }
        if (ringSize < 2 || ringSize > 64) {
            throw new IllegalArgumentException("ringSize: " + ringSize + " (expected: 2 to 64)");
        }
    }

    /** The test pattern at the default size and rate. */
    public static CaptureConfig testPattern() {
        return new CaptureConfig(new SourceSpec.TestPattern(), DEFAULT_SIZE, DEFAULT_FPS, 80, 4);
    }

    public CaptureConfig withSource(SourceSpec source) {
        return new CaptureConfig(source, size, fps, quality, ringSize);
    }

    public CaptureConfig withQuality(int quality) {
        return new CaptureConfig(source, size, fps, quality, ringSize);
    }

    public CaptureConfig withSize(VideoSize size) {
        return new CaptureConfig(source, size, fps, quality, ringSize);
    }

    public CaptureConfig withFps(double fps) {
        return new CaptureConfig(source, size, fps, quality, ringSize);
    }

    /** The size to produce, or ask a device for, when the source has no size of its own. */
    public VideoSize sizeOrDefault() {
        return size != null ? size : DEFAULT_SIZE;
    }

    /** The rate to produce when the source has no rate of its own. */
    public double fpsOrDefault() {
        return fps != 0 ? fps : DEFAULT_FPS;
    }
}
