package io.mjpegserver.capture.source;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceSpec;

/** Builds the {@link FrameSource} a {@link CaptureConfig} asks for. */
public final class FrameSources {

    private FrameSources() {
    }

    /** A new, unopened source. */
    public static FrameSource create(CaptureConfig config) {
        SourceSpec spec = config.source();
        if (spec instanceof SourceSpec.TestPattern) {
            return new TestPatternSource(config.sizeOrDefault(), config.fpsOrDefault(), config.quality());
        }
        if (spec instanceof SourceSpec.Camera camera) {
            return new CameraSource(camera, config.sizeOrDefault(), config.fpsOrDefault(), config.quality());
        }
        if (spec instanceof SourceSpec.VideoFile file) {
            return new FileSource(file.path(), config.size(), config.fps(), config.quality());
        }
        throw new IllegalArgumentException("source: " + spec + " (expected: test pattern, camera or file)");
    }
}
