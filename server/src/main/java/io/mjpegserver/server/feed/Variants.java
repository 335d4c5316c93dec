package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.DerivedStream;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.observe.StateView;
import java.util.ArrayList;
import java.util.List;

/**
 * A feed's variants: its frames at another size or quality, each derived once per frame of the feed (after the
 * feed's own transform) by a {@link DerivedStream} listening to the feed's ring, for every client that asks the
 * same. At most {@code max-variants} at once; each gets an equal part of the share of the feed's memory budget kept
 * for variants ({@link FeedStarter#budget}).
 */
public final class Variants implements AutoCloseable {

    /**
     * A variant: its size and JPEG quality.
     */
    public record Key(int width, int height, int quality) {
        /** {@code 640x360 q50}: how messages and {@code /state} name it. */
        @Override
        public String toString() {
            return width + "x" + height + " q" + quality;
        }

        /** {@code 640x360q50}: its {@code variant} label in {@code /metrics}. */
        public String label() {
            return width + "x" + height + "q" + quality;
        }
    }

    private final String feed;
    private final CaptureConfig config;
    private final FrameRing ring;
    private final FeedCapture capture;
    private final DerivedFeeds<Key> live;
    private final DeriveTools tools;
    private final long budgetEach;
    private final double ringSeconds;

    /**
     * @param ring        the feed's frames (after its transform), which variants derive from
     * @param capture     the feed's capture: each variant is one client's worth of demand on it while it exists
     * @param budgetEach  the bytes each variant's frames may take
     * @param ringSeconds what each variant keeps for time-shifted snapshots, as the feed's ring does
     */
    Variants(String feed, CaptureConfig config, FrameRing ring, FeedCapture capture, int max, long budgetEach,
            double ringSeconds, DeriveTools tools) {
        this.feed = feed;
        this.config = config;
        this.ring = ring;
        this.capture = capture;
        this.live = new DerivedFeeds<>(max);
        this.tools = tools;
        this.budgetEach = budgetEach;
        this.ringSeconds = ringSeconds;
    }

    /**
     * The variant of {@code key}, held for the caller (who lets go with its capture's {@code release()}), made for
     * it if new; {@code null} when the feed has its {@code max-variants} in use.
     */
    public Feed hold(Key key) {
        return live.hold(key, this::make);
    }

    /** The most variants at once. */
    public int max() {
        return live.max();
    }

    /** The variants in use, for a refusal's message. */
    public List<Key> inUse() {
        return live.keys();
    }

    private DerivedFeed make(Key key) {
        String name = feed + " " + key;
        CaptureConfig derived = config.withSize(new VideoSize(key.width(), key.height())).withQuality(key.quality());
        int min = config.ringSize();
        FrameRing target = new FrameRing(min, FrameRing.keepNanos(ringSeconds), FrameRing.maxFramesFor(min, ringSeconds),
                new FrameBudget(budgetEach));
        Transform transform = Transform.quality(key.quality()).withScale(new Transform.Scale(key.width(), key.height()));
        DerivedStream stream = new DerivedStream(name, transform, target, tools.workers(), tools.alloc(),
                tools.observers().apply(feed));
        DerivedFeed.Producer producer = new DerivedFeed.Producer() {
            @Override public void start() { ring.addListener(stream); }
            @Override public VideoSize size() { return new VideoSize(key.width(), key.height()); }
            @Override public long framesIn() { return stream.framesIn(); }
            @Override public long framesOut() { return stream.framesOut(); }
            @Override public long framesDropped() { return stream.framesDropped(); }
            @Override public void close() {
                ring.removeListener(stream);
                stream.close();
            }
        };
        return new DerivedFeed(key, live, name, derived, target, producer, capture, capture::stats, capture.pacingFps(),
                demand -> tools.broadcasters().apply(demand, target.budget()));
    }

    /** Each variant's figures for {@code /state}. */
    List<StateView.Derived> figures() {
        List<StateView.Derived> all = new ArrayList<>();
        for (DerivedFeed derived : live.all()) {
            all.add(derived.figures(((Key) derived.key()).label()));
        }
        return all;
    }

    @Override
    public void close() {
        live.close();
    }
}
