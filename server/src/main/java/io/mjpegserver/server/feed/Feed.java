package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.observe.WatchedFeed;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.SessionStats;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A named feed: its source's capture, its frame ring and its broadcaster, and the figures of all three. The
 * capture publishes into the ring; the broadcaster listens to the ring and fans each frame out to the feed's
 * stream clients. Built and closed by the server, which owns the event loops the broadcaster uses.
 */
public final class Feed implements WatchedFeed {

    private final String name;
    private final CaptureConfig config;
    private final FrameRing ring;
    private final Broadcaster broadcaster;
    private final FeedCapture capture;

    /** Takes ownership of {@code ring} and {@code capture}; the broadcaster must already listen to the ring. */
    public Feed(String name, CaptureConfig config, FrameRing ring, Broadcaster broadcaster, FeedCapture capture) {
        this.name = FeedConfig.checkName(name);
        this.config = config;
        this.ring = ring;
        this.broadcaster = broadcaster;
        this.capture = capture;
    }

    @Override
    public String name() {
        return name;
    }

    public CaptureConfig config() {
        return config;
    }

    /** The feed's frames; read-only use (its frames are released by the ring). */
    @Override
    public FrameRing ring() {
        return ring;
    }

    @Override
    public Broadcaster broadcaster() {
        return broadcaster;
    }

    public FeedCapture capture() {
        return capture;
    }

    @Override
    public CaptureStats captureStats() {
        return capture.stats();
    }

    /** Where this feed streams, relative to the server: {@code /cam/NAME/stream}. */
    public String streamPath() {
        return "/cam/" + name + "/stream";
    }

    public String snapshotPath() {
        return "/cam/" + name + "/snapshot";
    }

    /** The source part of {@code /state}. */
    public StateView.Source sourceView() {
        CaptureStats stats = capture.stats();
        VideoSize size = capture.knownSize();
        return new StateView.Source(config.source().kind(), config.source().describe(), stats.online(),
                stats.lastError(), config.size() == null ? null : config.size().toString(), configuredFps(),
                size == null ? null : size.width(), size == null ? null : size.height(), round(stats.actualFps()),
                stats.framesCaptured(), stats.noSignalFrames(), stats.reopens(), round(stats.lastGrabNanos() / 1e6),
                round(stats.lastEncodeNanos() / 1e6),
                stats.sinceLastFrameNanos() < 0 ? -1 : round(stats.sinceLastFrameNanos() / 1e9), stats.failures(),
                stats.hangs(), stats.internalErrors(), capture.passesThrough(), capture.idle(), stats.incompleteFrames());
    }

    /** The rate configured, else the source's own as far as it is known now; {@code null} while not known. */
    public Double configuredFps() {
        double fps = config.fps() > 0 ? config.fps() : capture.nominalFps();
        return fps > 0 ? fps : null;
    }

    /**
     * What the startup line says of the source's size and rate: each as configured or known, or "not known yet"
     * (an on-demand or unreachable relay, an RTSP stream before it opens), and whether it opens on demand.
     */
    public String figuresForStartup() {
        VideoSize size = capture.knownSize();
        Double fps = configuredFps();
        String rate = fps == null ? null : rate(config, fps);
        String figures = size != null && rate != null ? size + " at " + rate
                : size != null ? size + ", rate not known yet"
                : rate != null ? "size not known yet, at " + rate
                : "size and rate not known yet";
        return capture.idle() ? figures + ", on demand: opens at the first client" : figures;
    }

    /**
     * A rate as the startup line says it, {@code "29.97 fps"}; for a file, with where it comes from:
     * {@code "25 fps (from the file)"} or {@code "10 fps (from --fps)"}.
     */
    static String rate(CaptureConfig capture, double fps) {
        String figure = fps == Math.rint(fps) ? String.valueOf((long) fps)
                : BigDecimal.valueOf(fps).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
        String origin = !(capture.source() instanceof SourceSpec.VideoFile) ? ""
                : capture.fps() > 0 ? " (from --fps)" : " (from the file)";
        return figure + " fps" + origin;
    }

    public StateView.Ring ringView() {
        return new StateView.Ring(ring.capacity(), ring.occupancy(), ring.bytes(), ring.published());
    }

    public StateView.Memory memoryView() {
        FrameBudget budget = ring.budget();
        return new StateView.Memory(budget.limit(), budget.used(), budget.framesDropped(),
                broadcaster.clientsOverBudget());
    }

    public List<StateView.Client> clientViews() {
        List<StateView.Client> clients = new ArrayList<>();
        for (SessionStats s : broadcaster.sessions()) {
            clients.add(new StateView.Client(s.remote(), s.path(), s.protocol(), Instant.ofEpochMilli(s.connectedMillis()).toString(),
                    s.framesSent(), s.framesSkipped(), s.bytesSent(), s.pendingBytes(), round(s.fps()), s.requestedFps(),
                    s.framesDecimated()));
        }
        return clients;
    }

    /** This feed in {@code /state}. */
    public StateView.Feed view() {
        return new StateView.Feed(name, streamPath(), snapshotPath(), sourceView(), ringView(), clientViews(),
                memoryView());
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Stops capturing (the ring and the broadcaster are closed by the server, after its loops let go). */
    public void stopCapture() {
        capture.close();
    }

    /**
     * Closes this feed alone, while the server runs on (an edge's feed its origin no longer lists): its capture,
     * its clients' streams, then its frames. At shutdown the server closes the same three, each for every feed.
     */
    public void close() {
        capture.close();
        broadcaster.close();
        ring.close();
    }

    @Override
    public String toString() {
        return "feed " + name + " (" + config.source().describe() + ")";
    }
}
