package io.mjpegserver.server.observe;

import io.mjpegserver.capture.derive.DeriveObserver;
import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.server.stream.RejectListener;
import io.mjpegserver.server.stream.SessionStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.TreeMap;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics, in a registry of its own. Per-frame, per-client figures are not counted
 * on the hot path: they are read from the sessions' own counters when scraped.
 */
public final class ServerMetrics implements RejectListener {

    private static final double[] TIME_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rejects;
    private final Counter encoded;
    private final Histogram captureSeconds;
    private final Histogram encodeSeconds;
    private final Histogram deriveSeconds;

    public ServerMetrics() {
        rejects = Counter.builder().name("mjpeg_connection_rejects")
                .help("Clients turned away or cut off, by reason").labelNames("reason").register(registry);
        for (String reason : new String[] {"max_clients", "max_per_address", "headers_too_large", "bad_request",
                "request_timeout", "unauthorized", "client_timeout", "flood", "connection_rate", "memory_budget",
                "unsent_bound"}) {
            rejects.labelValues(reason);
        }
        // No exemplars (they link a sample to a trace, and there are no traces here): sampling them per frame
        // schedules work on a thread of the client library's own.
        encoded = Counter.builder().name("mjpeg_frames_encoded")
                .help("Frames encoded to JPEG (passed-through frames are not)").labelNames("feed").withoutExemplars()
                .register(registry);
        captureSeconds = Histogram.builder().name("mjpeg_capture_seconds")
                .help("Time to grab one frame: read, decode and encode").unit(Unit.SECONDS).labelNames("feed")
                .classicOnly().classicUpperBounds(TIME_BUCKETS).withoutExemplars().register(registry);
        encodeSeconds = Histogram.builder().name("mjpeg_encode_seconds")
                .help("Time to encode one frame to JPEG").unit(Unit.SECONDS).labelNames("feed")
                .classicOnly().classicUpperBounds(TIME_BUCKETS).withoutExemplars().register(registry);
        deriveSeconds = Histogram.builder().name("mjpeg_derive_latency_seconds")
                .help("Time from a source frame's publish to its derived frame's (variant, transform, wall tick)")
                .unit(Unit.SECONDS).labelNames("feed").classicOnly().classicUpperBounds(TIME_BUCKETS).withoutExemplars()
                .register(registry);
    }

    /**
     * What the derived frames of feed {@code feed} report (its transform, its variants; {@code wall} for walls),
     * recorded with its {@code feed} label alone, so the series are bounded by the feeds, not by the variants.
     */
    public DeriveObserver deriveObserver(String feed) {
        DistributionDataPoint here = deriveSeconds.labelValues(feed);
        return (latencyNanos, processNanos, bytes) -> here.observe(latencyNanos / 1e9);
    }

    /** What the capture of feed {@code feed} reports, recorded with its {@code feed} label. */
    public CaptureObserver observer(String feed) {
        CounterDataPoint encodedHere = encoded.labelValues(feed);
        DistributionDataPoint captureHere = captureSeconds.labelValues(feed);
        DistributionDataPoint encodeHere = encodeSeconds.labelValues(feed);
        return new CaptureObserver() {
            @Override
            public void captured(long grabNanos, long encodeNanos, int bytes) {
                captureHere.observe(grabNanos / 1e9);
                if (encodeNanos > 0) {
                    encodedHere.inc();
                    encodeHere.observe(encodeNanos / 1e9);
                }
            }
        };
    }

    /**
     * Registers the figures read at scrape time from every feed, each series with its {@code feed} label.
     * Nothing is counted per frame per client: the sessions' own counters are read when scraped.
     */
    public void watch(Iterable<? extends WatchedFeed> feeds) {
        counter("mjpeg_frames_captured", "Frames the source delivered", feeds, f -> f.captureStats().framesCaptured());
        counter("mjpeg_frames_incomplete", "Frames the source delivered incomplete, dropped: a relayed part whose"
                + " Content-Length was wrong, a JPEG cut short", feeds, f -> f.captureStats().incompleteFrames());
        counter("mjpeg_no_signal_frames", "NO SIGNAL frames sent while the source was down", feeds,
                f -> f.captureStats().noSignalFrames());
        counter("mjpeg_source_reconnects", "Times the source was reopened after a failure", feeds,
                f -> f.captureStats().reopens());
        counter("mjpeg_source_failures", "Times the source was lost: a failed or hung grab, or an internal error while"
                + " publishing", feeds, f -> f.captureStats().failures());
        counter("mjpeg_source_hangs", "Grabs that did not return within 3 of the source's frame periods (2 to 30 s), each a source loss",
                feeds, f -> f.captureStats().hangs());
        counter("mjpeg_capture_internal_errors", "Exceptions from the server's own code on the capture threads: bugs"
                + " to report", feeds, f -> f.captureStats().internalErrors());
        gauge("mjpeg_source_up", "1 while the source delivers frames, 0 while it is down", feeds,
                f -> f.captureStats().online() ? 1 : 0);
        gauge("mjpeg_capture_fps", "Frames per second the source delivers now", feeds, f -> f.captureStats().actualFps());
        counter("mjpeg_frames_sent", "Frames written to stream clients", feeds, f -> f.broadcaster().totals().framesSent());
        counter("mjpeg_frames_skipped", "Frames not written to a client whose socket was busy", feeds,
                f -> f.broadcaster().totals().framesSkipped());
        CounterWithCallback.builder().name("mjpeg_sent").help("Bytes written to stream clients").unit(Unit.BYTES)
                .labelNames("feed").callback(cb -> {
                    for (WatchedFeed f : feeds) {
                        cb.call(f.broadcaster().totals().bytesSent(), f.name());
                    }
                }).register(registry);
        counter("mjpeg_stream_sessions", "Stream clients served since start", feeds,
                f -> f.broadcaster().totals().sessionsStarted());
        GaugeWithCallback.builder().name("mjpeg_clients").help("Stream clients connected now, by feed and endpoint")
                .labelNames("feed", "endpoint").callback(cb -> {
                    for (WatchedFeed f : feeds) {
                        Map<String, Integer> byPath = new TreeMap<>();
                        for (SessionStats s : f.broadcaster().sessions()) {
                            byPath.merge(s.path(), 1, Integer::sum);
                        }
                        if (byPath.isEmpty()) {
                            cb.call(0, f.name(), "/stream");
                        }
                        byPath.forEach((path, n) -> cb.call(n, f.name(), path));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("mjpeg_direct_memory").help("Direct memory the process uses now (frames,"
                + " connections), against -XX:MaxDirectMemorySize").unit(Unit.BYTES)
                .callback(cb -> cb.call(DirectMemory.used())).register(registry);
        GaugeWithCallback.builder().name("mjpeg_feed_memory").help("Bytes the feed's frames take now: the ring's and"
                + " those its clients hold in flight").unit(Unit.BYTES).labelNames("feed").callback(cb -> {
                    for (WatchedFeed f : feeds) {
                        cb.call(f.ring().budget().used(), f.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("mjpeg_feed_memory_budget").help("Bytes the feed's frames may take (its memory"
                + " budget)").unit(Unit.BYTES).labelNames("feed").callback(cb -> {
                    for (WatchedFeed f : feeds) {
                        cb.call(f.ring().budget().limit(), f.name());
                    }
                }).register(registry);
        counter("mjpeg_budget_frames_dropped", "Frames the ring dropped before their time to stay within the feed's"
                + " memory budget", feeds, f -> f.ring().budget().framesDropped());
        counter("mjpeg_budget_clients_closed", "Stream clients closed because the frame they held was beyond the"
                + " feed's memory budget", feeds, f -> f.broadcaster().clientsOverBudget());
        for (String kind : new String[] {"in", "out", "dropped"}) {
            CounterWithCallback.builder().name("mjpeg_variant_frames_" + kind).help("A live variant's frames "
                    + ("in".equals(kind) ? "taken from its feed" : "out".equals(kind) ? "derived and published"
                    : "not derived, a newer frame having come first")).labelNames("feed", "variant").callback(cb -> {
                        for (WatchedFeed f : feeds) {
                            for (StateView.Derived v : f.derived()) {
                                cb.call("in".equals(kind) ? v.framesIn() : "out".equals(kind) ? v.framesOut()
                                        : v.framesDropped(), f.name(), v.name());
                            }
                        }
                    }).register(registry);
        }
        gauge("mjpeg_ring_frames", "Frames held in the ring", feeds, f -> f.ring().occupancy());
        GaugeWithCallback.builder().name("mjpeg_ring").help("JPEG bytes held in the ring").unit(Unit.BYTES)
                .labelNames("feed").callback(cb -> {
                    for (WatchedFeed f : feeds) {
                        cb.call(f.ring().bytes(), f.name());
                    }
                }).register(registry);
    }

    private void counter(String name, String help, Iterable<? extends WatchedFeed> feeds, ToDoubleFunction<WatchedFeed> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("feed").callback(cb -> {
            for (WatchedFeed f : feeds) {
                cb.call(value.applyAsDouble(f), f.name());
            }
        }).register(registry);
    }

    private void gauge(String name, String help, Iterable<? extends WatchedFeed> feeds, ToDoubleFunction<WatchedFeed> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("feed").callback(cb -> {
            for (WatchedFeed f : feeds) {
                cb.call(value.applyAsDouble(f), f.name());
            }
        }).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void rejected(String reason) {
        rejects.labelValues(reason).inc();
    }
}
