package io.mjpegserver.capture.source;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceSpec;

/** Builds the {@link FrameSource} a {@link CaptureConfig} asks for. */
public final class FrameSources {

    private FrameSources() {
    }

    /**
     * A new, unopened source. JavaCPP's core is initialised here, on the creating thread, before the source can
     * be opened on a thread of its own ({@link Natives}: two threads must not be the first into JavaCPP at once).
     */
    public static FrameSource create(CaptureConfig config) {
        Natives.initialiseCore();
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
        if (spec instanceof SourceSpec.Url url) {
            if (url.rtsp()) {
                return new RtspSource(url, config.size(), config.fps(), config.quality(), RtspSource.DEFAULT_TIMEOUT);
            }
            throw new IllegalArgumentException("url: " + url.describe() + " is relayed by a pushed source, not"
                    + " pulled (expected here: rtsp://)");
        }
        throw new IllegalArgumentException("source: " + spec.describe() + " (expected: test pattern, camera, file or url)");
    }
}
