package io.mjpegserver.server.observe;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.stream.Broadcaster;
import java.util.List;
import java.util.Map;

/** The facts of a feed that {@code /state} and {@code /metrics} read; each call reads them as of now. */
public interface WatchedFeed {

    /** The feed's name: its {@code feed} label, and what {@code /cam/NAME/...} names. */
    String name();

    /** Where this feed streams, relative to the server: {@code /cam/NAME/stream}. */
    String streamPath();

    String snapshotPath();

    /** The source and encoding as configured. */
    CaptureConfig config();

    CaptureStats captureStats();

    /** The size of the source's frames once known (it opened, or sent a frame), else {@code null}. */
    VideoSize knownSize();

    /** The rate configured, else the source's own as far as it is known now; {@code null} while not known. */
    Double configuredFps();

    /** Whether the source's own JPEGs go out, with no encode. */
    boolean passesThrough();

    /** A camera's controls as it holds them, by name; empty for any other source. */
    Map<String, Integer> controls();

    /** On demand, and closed for lack of clients. */
    boolean idle();

    /** The feed's frames; read-only use (its frames are released by the ring). */
    FrameRing ring();

    Broadcaster broadcaster();

    /** The feed's variants of now, each with its size, quality, clients and frames; none by default. */
    default List<StateView.Derived> derived() {
        return List.of();
    }
}
