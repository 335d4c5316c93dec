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
 * deliver), its format, limits, metrics and supervision threads. Each feed gets a ring, a capture publishing into it
 * and a broadcaster listening to it; an http(s) URL is relayed by a pushed source on the {@code relayLoops}.
 *
 * @param sourceLoss told (on a capture thread) of every source loss of any feed: the feed's name and the reason
 */
public record FeedStarter(ServerConfig server, EventLoopGroup workers, Supplier<EventLoopGroup> relayLoops,
        MultipartFormat format, ByteBufAllocator alloc,
        ClientLimits limits, ServerMetrics metrics, FatalErrorHandler fatal, BiConsumer<String, String> sourceLoss,
        SupervisorThreads supervision) {

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
        try {
            CaptureService service = CaptureService.start(source, config.capture().source().describe(),
                    config.capture().quality(), config.capture().sizeOrDefault(), config.options(), ring, alloc,
                    observer(config.name()), fatal, supervision);
            return assemble(config, ring, FeedCapture.of(service));
        } catch (SourceException | RuntimeException e) {
            source.close();
            ring.close();
            throw e;
        }
    }

    /** Starts {@code config}'s feed on {@code source} (the feed owns it from here, and closes it). */
    public Feed start(FeedConfig config, FrameSource source) throws SourceException {
        FrameRing ring = ring(config);
        try {
            CaptureService service = CaptureService.start(source, config.capture().source().describe(),
                    config.capture().quality(), config.options(), ring, alloc, observer(config.name()), fatal,
                    supervision);
            return assemble(config, ring, FeedCapture.of(service));
        } catch (SourceException | RuntimeException e) {
            ring.close();
            throw e;
        }
    }

    /** The broadcaster of a started capture, listening to its ring: the feed. */
    private Feed assemble(FeedConfig config, FrameRing ring, FeedCapture capture) {
        Broadcaster broadcaster = new Broadcaster(workers, format, alloc, server.streaming().repeat(), server.limits().clientTimeout(),
                limits, metrics, fatal, capture, ring.budget());
        ring.addListener(broadcaster);
        return new Feed(config.name(), config.capture(), ring, broadcaster, capture);
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
        return new FrameRing(min, FrameRing.keepNanos(seconds), FrameRing.maxFramesFor(min, seconds), budget(config));
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
