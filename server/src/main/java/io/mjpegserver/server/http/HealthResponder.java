package io.mjpegserver.server.http;

import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.observe.StateViews;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code /healthz}: 200 while every feed delivers (an on-demand feed idle for lack of clients is fine); 503 and,
 * one line per feed, what is wrong with each that does not. {@code /cam/NAME/healthz} answers for one feed. Without
 * the details (a probe without credentials when auth is on) it says only {@code ok}, or how many feeds are down:
 * the details name feeds and sources.
 */
final class HealthResponder {

    /**
     * The reason a feed's source is unhealthy, or {@code null} when it is fine.
     *
     * @param hangNanos the capture watchdog's threshold (a source silent this long is lost), or 0 while not known
     */
    static String problem(StateView.Source s, long hangNanos) {
        if (s.idle()) {
            return null;
        }
        if (!s.online()) {
            return "source " + s.source() + " is down: " + s.lastError();
        }
        if (s.secondsSinceLastFrame() < 0) {
            return "no frame captured yet from " + s.source();
        }
        // Stale once silent for as long as the watchdog would declare it lost (it follows the rate the source shows);
        // before its first look, three frame periods at the configured rate, and never under two seconds.
        double fps = s.configuredFps() != null ? s.configuredFps() : 0;
        double allowed = hangNanos > 0 ? hangNanos / 1e9 : Math.max(2.0, fps > 0 ? 3.0 / fps : 2.0);
        if (s.secondsSinceLastFrame() > allowed) {
            return String.format(Locale.ROOT, "no frame from %s for %.1f s", s.source(), s.secondsSinceLastFrame());
        }
        return null;
    }

    /** @param details whether to say which feeds are down and why, or only how many */
    void respond(ChannelHandlerContext ctx, HttpRequest request, List<Feed> feeds, boolean details) {
        List<String> problems = new ArrayList<>();
        boolean idle = false;
        for (Feed feed : feeds) {
            StateView.Source source = StateViews.source(feed);
            idle |= source.idle();
            String problem = problem(source, feed.captureStats().hangNanos());
            if (problem != null) {
                problems.add(feeds.size() == 1 ? problem : "feed " + feed.name() + ": " + problem);
            }
        }
        if (problems.isEmpty()) {
            String body = details && feeds.size() == 1 && idle ? "ok (idle: opens at the first client)\n" : "ok\n";
            Responses.send(ctx, request, Responses.text(request, HttpResponseStatus.OK, body), false);
        } else {
            String body = details ? String.join("\n", problems)
                    : problems.size() + (problems.size() == 1 ? " feed" : " feeds") + " down";
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, body), false);
        }
    }
}
