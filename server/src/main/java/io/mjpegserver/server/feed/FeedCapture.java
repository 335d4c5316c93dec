package io.mjpegserver.server.feed;

import io.mjpegserver.capture.supervise.CaptureService;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.stream.ClientDemand;
import java.util.Map;

/**
 * What a feed needs of its capture: the running {@link CaptureService}, or a stand-in in handler tests. Its
 * broadcaster tells it of each client that comes and goes ({@link ClientDemand}).
 */
public interface FeedCapture extends ClientDemand, AutoCloseable {

    CaptureStats stats();

    /** The size frames come at now (a relay learns it from its first frame). */
    int width();

    int height();

    /** The rate the capture paces at, or 0 for a source that paces itself. */
    double pacingFps();

    /** The size of the source's frames once it is known (the source opened, or sent a frame), else {@code null}. */
    default VideoSize knownSize() {
        try {
            return new VideoSize(width(), height());
        } catch (IllegalArgumentException notKnown) {
            return null;
        }
    }

    /** The source's own rate as far as it is known now (a file's, a polled snapshot's, an RTSP stream's), or 0. */
    default double nominalFps() {
        return pacingFps();
    }

    /** Whether the source's own JPEGs go out, with no encode. */
    boolean passesThrough();

    /** A camera's controls as it holds them, by name; empty for any other source. */
    default Map<String, Integer> controls() {
        return Map.of();
    }

    /** A client came: an idle on-demand source opens. */
    @Override
    void acquire();

    /** A client left: an on-demand source closes after its grace once none is left. */
    @Override
    void release();

    /** On demand, and closed for lack of clients. */
    boolean idle();

    /**
     * Starts stopping without waiting (nothing published after this, the capture thread interrupted), so a server
     * stops every feed at once before {@link #close()} waits for each.
     */
    default void stop() {
    }

    @Override
    void close();

    /** The capture of a running service; closing it stops the service. */
    static FeedCapture of(CaptureService service) {
        return new FeedCapture() {
            @Override public CaptureStats stats() { return service.stats(); }
            @Override public int width() { return service.width(); }
            @Override public int height() { return service.height(); }
            @Override public double pacingFps() { return service.pacingFps(); }
            @Override public VideoSize knownSize() { return service.knownSize(); }
            @Override public double nominalFps() { return service.nominalFps(); }
            @Override public boolean passesThrough() { return service.passesThrough(); }
            @Override public Map<String, Integer> controls() { return service.controls(); }
            @Override public void acquire() { service.acquire(); }
            @Override public void release() { service.release(); }
            @Override public boolean idle() { return service.idle(); }
            @Override public void stop() { service.stop(); }
            @Override public void close() { service.close(); }
        };
    }
}
