package io.mjpegserver.server.feed;

import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.supervise.CaptureService;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.PushSource;
import io.mjpegserver.capture.relay.HttpRelaySource;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.supervise.SupervisorThreads;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.derive.DerivedStream;
import io.mjpegserver.capture.derive.DeriveWorkers;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.MemoryBudgets;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.observe.ServerMetrics;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.ClientLimits;
import io.mjpegserver.server.stream.MultipartFormat;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Builds feeds on what the server shares between them: its event loops ({@code workers}, where broadcasters
 * deliver), its format, limits, metrics, supervision threads and derive workers (transforms, variants, walls).
 * Each feed gets a ring, a capture publishing into it and a broadcaster listening to it; an http(s) URL is relayed by a pushed source on the {@code relayLoops}.
 *
 * @param sourceLoss told (on a capture thread) of every source loss of any feed: the feed's name and the reason
 */
public record FeedStarter(ServerConfig server, EventLoopGroup workers, Supplier<EventLoopGroup> relayLoops,
        MultipartFormat format, ByteBufAllocator alloc,
        ClientLimits limits, ServerMetrics metrics, FatalErrorHandler fatal, BiConsumer<String, String> sourceLoss,
        SupervisorThreads supervision, DeriveWorkers derive) {

    /** What each wall's frames may take: a few mosaics, however many feeds. */
    static final long WALL_BUDGET = 32L << 20;

    /** Starts {@code config}'s feed on the source it names. */
    public Feed start(FeedConfig config) throws SourceException {
        SourceSpec spec = config.capture().source();
        if (spec instanceof SourceSpec.Url url && !url.rtsp()) {
            RelayOptions relay = config.capture().fps() > 0 ? config.relay().withFps(config.capture().fps())
                    : config.relay();
            return start(config, new HttpRelaySource(url.uri(), relayLoops.get(), alloc, relay, fatal));
        }
        return start(config, FrameSources.create(config.capture()));
    }

    /**
     * Starts {@code config}'s feed on the pushed {@code source} (the feed owns it from here). Until the upstream's
     * first frame tells its size, NO SIGNAL frames are drawn at the configured size, or the default one.
     */
    public Feed start(FeedConfig config, PushSource source) throws SourceException {
        FrameRing ring = ring(config);
        FrameRing captured = capturedRing(config, ring);
        try {
            CaptureService service = CaptureService.start(source, config.capture().source().describe(),
                    config.capture().quality(), config.capture().sizeOrDefault(), config.options(), captured, alloc,
                    observer(config.name()), fatal, supervision);
            return assemble(config, ring, transformed(config, captured, ring, FeedCapture.of(service)));
        } catch (SourceException | RuntimeException e) {
            source.close();
            closeRings(captured, ring);
            throw e;
        }
    }

    /** Starts {@code config}'s feed on {@code source} (the feed owns it from here, and closes it). */
    public Feed start(FeedConfig config, FrameSource source) throws SourceException {
        FrameRing ring = ring(config);
        FrameRing captured = capturedRing(config, ring);
        try {
            CaptureService service = CaptureService.start(source, config.capture().source().describe(),
                    config.capture().quality(), config.options(), captured, alloc, observer(config.name()), fatal,
                    supervision);
            return assemble(config, ring, transformed(config, captured, ring, FeedCapture.of(service)));
        } catch (SourceException | RuntimeException e) {
            closeRings(captured, ring);
            throw e;
        }
    }

    /** Where the capture publishes: the feed's ring, or for a transformed feed a ring of its own, before the transform. */
    private static FrameRing capturedRing(FeedConfig config, FrameRing ring) {
        if (config.derive().transform() == null) {
            return ring;
        }
        int frames = Math.min(config.capture().ringSize(), 4);
        return new FrameRing(frames, 0, frames, new FrameBudget(share(config).transform()));
    }

    private static void closeRings(FrameRing captured, FrameRing ring) {
        if (captured != ring) {
            captured.close();
        }
        ring.close();
    }

    /** A transformed feed's capture: the frames captured, transformed once each into the feed's ring. */
    private FeedCapture transformed(FeedConfig config, FrameRing captured, FrameRing ring, FeedCapture capture) {
        if (captured == ring) {
            return capture;
        }
        DerivedStream stream = new DerivedStream(config.name(), config.derive().transform(), ring, derive, alloc,
                metrics.deriveObserver(config.name()));
        captured.addListener(stream);
        return new TransformedCapture(capture, config.derive().transform(), captured, stream);
    }

    /** The broadcaster of a started capture, listening to its ring, and the feed's variants: the feed. */
    private Feed assemble(FeedConfig config, FrameRing ring, FeedCapture capture) {
        Broadcaster broadcaster = broadcaster(capture, ring.budget());
        ring.addListener(broadcaster);
        int max = config.derive().maxVariants();
        Variants variants = max == 0 ? null : new Variants(config.name(), config.capture(), ring, capture, max,
                share(config).variants() / max, config.options().ringSeconds(), tools());
        return new Feed(config.name(), config.capture(), ring, broadcaster, capture, variants, false);
    }

    private Broadcaster broadcaster(FeedCapture demand, FrameBudget budget) {
        return new Broadcaster(workers, format, alloc, server.streaming().repeat(), server.limits().clientTimeout(),
                limits, metrics, fatal, demand, budget);
    }

    private DeriveTools tools() {
        return new DeriveTools(derive, alloc, this::broadcaster, metrics::deriveObserver);
    }

    /** The server's walls, made with what feeds are. */
    public Walls walls() {
        return new Walls(tools(), WALL_BUDGET);
    }

    /** The feed's capture figures to the metrics; its losses to the server's listeners. */
    private CaptureObserver observer(String feed) {
        CaptureObserver recorded = metrics.observer(feed);
        return new CaptureObserver() {
            @Override
            public void captured(long grabNanos, long encodeNanos, int bytes) {
                recorded.captured(grabNanos, encodeNanos, bytes);
            }

            @Override
            public void sourceFailed(String reason) {
                sourceLoss.accept(feed, reason);
            }
        };
    }

    /**
     * The feed's ring: its {@code ring-size} newest frames, and every frame of the last {@code ring-seconds}, up to
     * {@link FrameRing#maxFramesFor} frames (the span at 120 fps), all within the feed's {@link #budget}.
     */
    static FrameRing ring(FeedConfig config) {
        int min = config.capture().ringSize();
        double seconds = config.options().ringSeconds();
        return new FrameRing(min, FrameRing.keepNanos(seconds), FrameRing.maxFramesFor(min, seconds),
                new FrameBudget(share(config).ring()));
    }

    /**
     * How a feed's budget is shared: a quarter for its variants together (when it may have any), an eighth for the
     * frames captured before its transform (when it has one), the rest for its own ring and its clients.
     */
    record Share(long ring, long variants, long transform) {
    }

    static Share share(FeedConfig config) {
        long memory = budget(config).limit();
        long variants = config.derive().maxVariants() > 0 ? memory / 4 : 0;
        long transform = config.derive().transform() != null ? memory / 8 : 0;
        return new Share(memory - variants - transform, variants, transform);
    }

    /**
     * What the feed's frames may take: its {@code memory} (a feed started without one, as the server's own tests
     * do, gets what a lone feed would), less, for a relay, the part it may be reading while they are kept.
     */
    static FrameBudget budget(FeedConfig config) {
        long memory = config.options().memory();
        if (memory == CaptureOptions.AUTO_MEMORY) {
            memory = MemoryBudgets.share(MemoryBudgets.maxDirectMemory(), 1);
        }
        if (config.capture().source() instanceof SourceSpec.Url url && !url.rtsp()) {
            memory = Math.max(memory / 2, memory - config.relay().maxPartBytes());
        }
        return new FrameBudget(memory);
    }
}
