package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.ClientDemand;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A derived feed (a variant, a wall) as an ordinary {@link Feed}: its producer publishes into its ring, its
 * broadcaster fans out from there. This is the feed's capture: a client's coming and going is a hold on the
 * entry in {@link DerivedFeeds}; while it exists it holds one client's worth of demand on its inputs, so an
 * on-demand source opens for it.
 */
public final class DerivedFeed implements FeedCapture {

    /** What publishes the derived frames: a {@code DerivedStream} or a {@code Wall}, with its figures. */
    interface Producer extends AutoCloseable {
        /** Attaches to the inputs: frames flow from here on. */
        void start();

        /** The derived frames' size, {@code null} while not known. */
        VideoSize size();

        long framesIn();

        long framesOut();

        long framesDropped();

        /** Detaches from the inputs and stops; no frame is published after it returns. */
        @Override
        void close();
    }

    private final Object key;
    private final DerivedFeeds<?> owner;
    private final Producer producer;
    private final ClientDemand upstream;
    private final Supplier<CaptureStats> upstreamStats;
    private final double fps;
    private final int quality;
    private final Feed feed;
    // Guarded by owner.
    int holds;
    ScheduledFuture<?> closing;
    private boolean started;
    private boolean closed;

    /**
     * @param ring        the derived frames, owned from here (closed with the feed)
     * @param broadcaster makes the feed's broadcaster, given this as its demand, listening to {@code ring}
     */
    DerivedFeed(Object key, DerivedFeeds<?> owner, String name, CaptureConfig config, FrameRing ring, Producer producer,
            ClientDemand upstream, Supplier<CaptureStats> upstreamStats, double fps,
            Function<FeedCapture, Broadcaster> broadcaster) {
        this.key = key;
        this.owner = owner;
        this.producer = producer;
        this.upstream = upstream;
        this.upstreamStats = upstreamStats;
        this.fps = fps;
        this.quality = config.quality();
        Broadcaster fanOut = broadcaster.apply(this);
        ring.addListener(fanOut);
        this.feed = new Feed(name, config, ring, fanOut, this, null, true);
    }

    Object key() {
        return key;
    }

    public Feed feed() {
        return feed;
    }

    public int quality() {
        return quality;
    }

    /** Clients of now: stream clients and snapshots in their grace. */
    public int holds() {
        synchronized (owner) {
            return holds;
        }
    }

    public long framesIn() {
        return producer.framesIn();
    }

    public long framesOut() {
        return producer.framesOut();
    }

    public long framesDropped() {
        return producer.framesDropped();
    }

    /** Its figures for {@code /state}, under {@code name}. */
    StateView.Derived figures(String name) {
        VideoSize size = producer.size();
        return new StateView.Derived(name, size == null ? 0 : size.width(), size == null ? 0 : size.height(), quality,
                holds(), feed.broadcaster().sessions().size(), framesIn(), framesOut(), framesDropped());
    }

    synchronized void start() {
        started = true;
        upstream.acquire();
        producer.start();
    }

    @Override
    public CaptureStats stats() {
        CaptureStats in = upstreamStats.get();
        return new CaptureStats(in.online(), producer.framesOut(), in.noSignalFrames(), in.actualFps(), 0, 0,
                in.sinceLastFrameNanos(), in.reopens(), in.lastError(), in.failures(), in.hangs(), in.internalErrors(),
                false, holds(), 0, 0, 0);
    }

    @Override
    public VideoSize knownSize() {
        return producer.size();
    }

    @Override
    public int width() {
        VideoSize size = producer.size();
        return size == null ? 0 : size.width();
    }

    @Override
    public int height() {
        VideoSize size = producer.size();
        return size == null ? 0 : size.height();
    }

    @Override
    public double pacingFps() {
        return fps;
    }

    @Override
    public boolean passesThrough() {
        return false;
    }

    @Override
    public void acquire() {
        owner.held(this);
    }

    @Override
    public void release() {
        owner.letGo(this);
    }

    /** Before its first derived frame: a snapshot waits for one rather than answering that there is none. */
    @Override
    public boolean idle() {
        return feed.ring().published() == 0;
    }

    /** Stops deriving and gives back the demand on the inputs; the feed closes its clients and its ring after. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.close();
        if (started) {
            upstream.release();
        }
    }
}
