package io.mjpegserver.server.http;

import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.stream.StreamResponder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Supplier;

/**
 * What the endpoints read from the running server.
 *
 * @param ring    {@code /snapshot}'s frames
 * @param stream  answers {@code /stream}
 * @param state   builds {@code /state}'s view
 * @param source  the source part of it alone, for {@code /healthz}
 * @param metrics {@code /metrics}' registry
 */
public record Endpoints(FrameRing ring, StreamResponder stream, Supplier<StateView> state,
        Supplier<StateView.Source> source, PrometheusRegistry metrics) {
}
