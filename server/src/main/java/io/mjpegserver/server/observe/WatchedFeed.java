package io.mjpegserver.server.observe;

import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.stream.Broadcaster;

/** What the metrics read of a feed at scrape time. */
public interface WatchedFeed {

    /** The {@code feed} label. */
    String name();

    CaptureStats captureStats();

    FrameRing ring();

    Broadcaster broadcaster();
}
