package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.DerivedStream;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.capture.frame.FrameRing;
import java.util.Map;

/**
 * The capture of a transformed feed (rotated, flipped, cropped, with text): the source's capture publishes into a
 * ring of its own, whose one always-attached {@link DerivedStream} publishes each frame, transformed, into the
 * feed's ring. Its size is the transformed one; its frames are always encoded.
 */
final class TransformedCapture implements FeedCapture {

    private final FeedCapture capture;
    private final Transform transform;
    private final FrameRing captured;
    private final DerivedStream stream;

    /** Takes ownership of {@code capture}, {@code captured} and {@code stream}, which must listen to it. */
    TransformedCapture(FeedCapture capture, Transform transform, FrameRing captured, DerivedStream stream) {
        this.capture = capture;
        this.transform = transform;
        this.captured = captured;
        this.stream = stream;
    }

    @Override
    public CaptureStats stats() {
        return capture.stats();
    }

    @Override
    public VideoSize knownSize() {
        VideoSize source = capture.knownSize();
        return source == null ? null : transform.outputSize(source);
    }

    @Override
    public int width() {
        VideoSize size = knownSize();
        return size == null ? capture.width() : size.width();
    }

    @Override
    public int height() {
        VideoSize size = knownSize();
        return size == null ? capture.height() : size.height();
    }

    @Override
    public double pacingFps() {
        return capture.pacingFps();
    }

    @Override
    public double nominalFps() {
        return capture.nominalFps();
    }

    @Override
    public boolean passesThrough() {
        return false;
    }

    @Override
    public Map<String, Integer> controls() {
        return capture.controls();
    }

    @Override
    public void acquire() {
        capture.acquire();
    }

    @Override
    public void release() {
        capture.release();
    }

    @Override
    public boolean idle() {
        return capture.idle();
    }

    @Override
    public void stop() {
        capture.stop();
    }

    /** Stops the capture, then the transform, then releases the frames captured before it. */
    @Override
    public void close() {
        capture.close();
        captured.removeListener(stream);
        stream.close();
        captured.close();
    }
}
