package io.mjpegserver.server.http;

import io.mjpegserver.server.feed.Feeds;
import io.mjpegserver.server.feed.Walls;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.stream.StreamResponder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Supplier;

/**
 * What the endpoints read from the running server.
 *
 * @param feeds   every feed: {@code /stream} and {@code /snapshot} serve the default one, {@code /cam/NAME/...}
 *                the one named
 * @param walls   the server's walls ({@code /wall}), {@code null} for none
 * @param stream  answers stream requests, for any feed
 * @param state   builds {@code /state}'s view
 * @param metrics {@code /metrics}' registry
 */
public record Endpoints(Feeds feeds, Walls walls, StreamResponder stream, Supplier<StateView> state, PrometheusRegistry metrics) {
}
