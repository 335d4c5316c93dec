package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Wall;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.ClientDemand;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's walls: several feeds' newest frames as one grid, composed and encoded once per tick by a
 * {@link Wall} for every client that asks the same feeds, width, rate and quality. A wall's clients are demand on
 * each of its feeds (an on-demand feed opens while the wall is watched). At most {@link #MAX} at once.
 */
public final class Walls implements AutoCloseable {

    /** Walls at once, server-wide: each costs a decode of every tile's frames and an encode per tick. */
    public static final int MAX = 4;
    /** A wall's fastest rate, and its rate when no feed's rate is known yet. */
    public static final double MAX_FPS = 30;
    public static final double UNKNOWN_FPS = 10;
    /** The frames a wall's ring keeps: few, a wall is for watching now. */
    private static final int RING_FRAMES = 4;

    /** A wall: its feeds in order, the mosaic's width (0: the layout's default), its rate and its JPEG quality. */
    public record Key(List<String> feeds, int width, double fps, int quality) {
        public Key {
            feeds = List.copyOf(feeds);
        }

        @Override
        public String toString() {
            return String.join(",", feeds) + " " + width + "w " + fps + " fps q" + quality;
        }
    }

    private final DerivedFeeds<Key> live = new DerivedFeeds<>(MAX);
    private final DeriveTools tools;
    private final long budget;

    /** @param budget the bytes each wall's frames may take */
    Walls(DeriveTools tools, long budget) {
        this.tools = tools;
        this.budget = budget;
    }

    /**
     * The wall of {@code key} over {@code feeds} (those its key names, in order), held for the caller, who lets go
     * with its capture's {@code release()}; made if new. {@code null} when {@link #MAX} walls are in use.
     */
    public Feed hold(Key key, List<Feed> feeds) {
        return live.hold(key, k -> make(k, feeds));
    }

    /** The walls in use, for a refusal's message. */
    public List<Key> inUse() {
        return live.keys();
    }

    /** The default rate of a wall of {@code feeds}: the slowest one's, at most {@link #MAX_FPS}. */
    public static double defaultFps(List<Feed> feeds) {
        double slowest = Double.MAX_VALUE;
        for (Feed feed : feeds) {
            Double fps = feed.configuredFps();
            if (fps != null) {
                slowest = Math.min(slowest, fps);
            }
        }
        return slowest == Double.MAX_VALUE ? UNKNOWN_FPS : Math.min(MAX_FPS, slowest);
    }

    private DerivedFeed make(Key key, List<Feed> feeds) {
        List<Wall.Input> inputs = new ArrayList<>();
        for (Feed feed : feeds) {
            inputs.add(new Wall.Input(feed.name(), feed.ring()));
        }
        String name = "wall " + key;
        FrameRing ring = new FrameRing(RING_FRAMES, 0, RING_FRAMES, new FrameBudget(budget));
        Wall wall;
        try {
            wall = new Wall(inputs, key.width(), key.fps(), key.quality(), ring, tools.workers(), tools.alloc(),
                    tools.observers().apply("wall"));
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
        DerivedFeed.Producer producer = new DerivedFeed.Producer() {
            @Override public void start() { wall.start(); }
            @Override public VideoSize size() { return wall.size(); }
            @Override public long framesIn() { return wall.framesOut(); }
            @Override public long framesOut() { return wall.framesOut(); }
            @Override public long framesDropped() { return 0; }
            @Override public void close() { wall.close(); }
        };
        ClientDemand demand = new ClientDemand() {
            @Override
            public void acquire() {
                feeds.forEach(feed -> feed.capture().acquire());
            }

            @Override
            public void release() {
                feeds.forEach(feed -> feed.capture().release());
            }
        };
        CaptureConfig config = new CaptureConfig(new SourceSpec.TestPattern(), null, key.fps(), key.quality(), RING_FRAMES);
        return new DerivedFeed(key, live, name, config, ring, producer, demand, Walls::ticking, key.fps(),
                capture -> tools.broadcasters().apply(capture, ring.budget()));
    }

    /** A wall is up while it ticks; its tiles say which feed is down. */
    private static CaptureStats ticking() {
        return new CaptureStats(true, 0, 0, 0, 0, 0, -1, 0, null, 0, 0, 0);
    }

    /** Each wall's figures for {@code /state}. */
    public List<StateView.Derived> figures() {
        List<StateView.Derived> all = new ArrayList<>();
        for (DerivedFeed derived : live.all()) {
            all.add(derived.figures(String.join(",", ((Key) derived.key()).feeds())));
        }
        return all;
    }

    @Override
    public void close() {
        live.close();
    }
}
