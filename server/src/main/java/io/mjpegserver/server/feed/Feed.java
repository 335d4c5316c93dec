package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.observe.WatchedFeed;
import io.mjpegserver.server.stream.Broadcaster;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

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
    private final Variants variants;

    /** Takes ownership of {@code ring} and {@code capture}; the broadcaster must already listen to the ring. */
    public Feed(String name, CaptureConfig config, FrameRing ring, Broadcaster broadcaster, FeedCapture capture) {
        this(name, config, ring, broadcaster, capture, null, false);
    }

    /**
     * @param variants this feed's variants, owned from here; {@code null} for none (a derived feed's own)
     * @param derived  a derived feed, whose name is for {@code /state} and logs, not a path
     */
    Feed(String name, CaptureConfig config, FrameRing ring, Broadcaster broadcaster, FeedCapture capture,
            Variants variants, boolean derived) {
        this.name = derived ? name : FeedConfig.checkName(name);
        this.config = config;
        this.ring = ring;
        this.broadcaster = broadcaster;
        this.capture = capture;
        this.variants = variants;
    }

    /** The feed's variants (other sizes and qualities, made on request), or {@code null} when it has none. */
    public Variants variants() {
        return variants;
    }

    @Override
    public List<StateView.Derived> derived() {
        return variants == null ? List.of() : variants.figures();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CaptureConfig config() {
        return config;
    }

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

    @Override
    public VideoSize knownSize() {
        return capture.knownSize();
    }

    @Override
    public boolean passesThrough() {
        return capture.passesThrough();
    }

    @Override
    public Map<String, Integer> controls() {
        return capture.controls();
    }

    @Override
    public boolean idle() {
        return capture.idle();
    }

    @Override
    public String streamPath() {
        return "/cam/" + name + "/stream";
    }

    @Override
    public String snapshotPath() {
        return "/cam/" + name + "/snapshot";
    }

    @Override
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

    /** Stops capturing (the ring and the broadcaster are closed by the server, after its loops let go). */
    public void stopCapture() {
        closeVariants();
        capture.close();
    }

    /** Closes the feed's variants, their clients and their frames. */
    public void closeVariants() {
        if (variants != null) {
            variants.close();
        }
    }

    /**
     * Closes this feed alone, while the server runs on (an edge's feed its origin stops listing): its capture,
     * its clients' streams, then its frames. At shutdown the server closes the same three, each for every feed.
     */
    public void close() {
        closeVariants();
        capture.close();
        broadcaster.close();
        ring.close();
    }

    @Override
    public String toString() {
        return "feed " + name + " (" + config.source().describe() + ")";
    }
}
