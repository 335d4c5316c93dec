package io.mjpegserver.server.http;

import io.mjpegserver.server.observe.StateView;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;
import java.util.function.Supplier;

/** {@code /healthz}: 200 while frames arrive; 503 and the reason while the source is down or silent. */
final class HealthResponder {

    private final Supplier<StateView.Source> source;

    HealthResponder(Supplier<StateView.Source> source) {
        this.source = source;
    }

    /** The reason the source is unhealthy, or {@code null} when it is fine. */
    static String problem(StateView.Source s) {
        if (!s.online()) {
            return "source " + s.source() + " is down: " + s.lastError();
        }
        if (s.secondsSinceLastFrame() < 0) {
            return "no frame captured yet from " + s.source();
        }
        // Three frame periods at the configured rate, and never under two seconds.
        double allowed = Math.max(2.0, s.configuredFps() > 0 ? 3.0 / s.configuredFps() : 2.0);
        if (s.secondsSinceLastFrame() > allowed) {
            return String.format(Locale.ROOT, "no frame from %s for %.1f s", s.source(), s.secondsSinceLastFrame());
        }
        return null;
    }

    void respond(ChannelHandlerContext ctx, HttpRequest request) {
        String problem = problem(source.get());
        if (problem == null) {
            Responses.send(ctx, request, Responses.text(request, HttpResponseStatus.OK, "ok\n"), false);
        } else {
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, problem), false);
        }
    }
}
