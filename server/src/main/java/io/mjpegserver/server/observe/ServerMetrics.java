package io.mjpegserver.server.observe;

import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.stream.Broadcaster;
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
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, in a registry of its own. Per-frame, per-client figures are not counted
 * on the hot path: they are read from the sessions' own counters when scraped.
 */
public final class ServerMetrics implements CaptureObserver, RejectListener {

    private static final double[] TIME_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rejects;
    private final Counter encoded;
    private final Histogram captureSeconds;
    private final Histogram encodeSeconds;

    public ServerMetrics() {
        rejects = Counter.builder().name("mjpeg_connection_rejects")
                .help("Clients turned away or cut off, by reason").labelNames("reason").register(registry);
        for (String reason : new String[] {"max_clients", "max_per_address", "headers_too_large", "bad_request",
                "request_timeout", "unauthorized", "client_timeout"}) {
            rejects.labelValues(reason);
        }
        encoded = Counter.builder().name("mjpeg_frames_encoded")
                .help("Frames encoded to JPEG (passed-through frames are not)").register(registry);
        captureSeconds = Histogram.builder().name("mjpeg_capture_seconds")
                .help("Time to grab one frame: read, decode and encode").unit(Unit.SECONDS)
                .classicOnly().classicUpperBounds(TIME_BUCKETS).register(registry);
        encodeSeconds = Histogram.builder().name("mjpeg_encode_seconds")
                .help("Time to encode one frame to JPEG").unit(Unit.SECONDS)
                .classicOnly().classicUpperBounds(TIME_BUCKETS).register(registry);
    }

    /** Registers the figures read at scrape time from the running parts of the server. */
    public void watch(Supplier<CaptureStats> capture, FrameRing ring, Broadcaster broadcaster) {
        CounterWithCallback.builder().name("mjpeg_frames_captured").help("Frames the source delivered")
                .callback(cb -> cb.call(capture.get().framesCaptured())).register(registry);
        CounterWithCallback.builder().name("mjpeg_no_signal_frames").help("NO SIGNAL frames sent while the source was down")
                .callback(cb -> cb.call(capture.get().noSignalFrames())).register(registry);
        CounterWithCallback.builder().name("mjpeg_source_reconnects").help("Times the source was reopened after a failure")
                .callback(cb -> cb.call(capture.get().reopens())).register(registry);
        CounterWithCallback.builder().name("mjpeg_source_failures")
                .help("Times the source was lost: a failed or hung grab, or an internal error while publishing")
                .callback(cb -> cb.call(capture.get().failures())).register(registry);
        CounterWithCallback.builder().name("mjpeg_source_hangs")
                .help("Grabs that did not return within max(3 frame periods, 2 s), each a source loss")
                .callback(cb -> cb.call(capture.get().hangs())).register(registry);
        CounterWithCallback.builder().name("mjpeg_capture_internal_errors")
                .help("Exceptions from the server's own code on the capture threads: bugs to report")
                .callback(cb -> cb.call(capture.get().internalErrors())).register(registry);
        GaugeWithCallback.builder().name("mjpeg_source_up").help("1 while the source delivers frames, 0 while it is down")
                .callback(cb -> cb.call(capture.get().online() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("mjpeg_capture_fps").help("Frames per second the source delivers now")
                .callback(cb -> cb.call(capture.get().actualFps())).register(registry);
        CounterWithCallback.builder().name("mjpeg_frames_sent").help("Frames written to stream clients")
                .callback(cb -> cb.call(broadcaster.totals().framesSent())).register(registry);
        CounterWithCallback.builder().name("mjpeg_frames_skipped").help("Frames not written to a client whose socket was busy")
                .callback(cb -> cb.call(broadcaster.totals().framesSkipped())).register(registry);
        CounterWithCallback.builder().name("mjpeg_sent").help("Bytes written to stream clients")
                .unit(Unit.BYTES).callback(cb -> cb.call(broadcaster.totals().bytesSent())).register(registry);
        CounterWithCallback.builder().name("mjpeg_stream_sessions").help("Stream clients served since start")
                .callback(cb -> cb.call(broadcaster.totals().sessionsStarted())).register(registry);
        GaugeWithCallback.builder().name("mjpeg_clients").help("Stream clients connected now, by endpoint")
                .labelNames("endpoint").callback(cb -> {
                    Map<String, Integer> byPath = new TreeMap<>(Map.of("/stream", 0));
                    for (SessionStats s : broadcaster.sessions()) {
                        byPath.merge(s.path(), 1, Integer::sum);
                    }
                    byPath.forEach((path, n) -> cb.call(n, path));
                }).register(registry);
        GaugeWithCallback.builder().name("mjpeg_ring_frames").help("Frames held in the ring")
                .callback(cb -> cb.call(ring.occupancy())).register(registry);
        GaugeWithCallback.builder().name("mjpeg_ring").help("JPEG bytes held in the ring")
                .unit(Unit.BYTES).callback(cb -> cb.call(ring.bytes())).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void captured(long grabNanos, long encodeNanos, int bytes) {
        captureSeconds.observe(grabNanos / 1e9);
        if (encodeNanos > 0) {
            encoded.inc();
            encodeSeconds.observe(encodeNanos / 1e9);
        }
    }

    @Override
    public void rejected(String reason) {
        rejects.labelValues(reason).inc();
    }
}
