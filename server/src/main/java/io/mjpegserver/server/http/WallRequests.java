package io.mjpegserver.server.http;

import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.feed.Feeds;
import io.mjpegserver.server.feed.Walls;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code /wall?feeds=a,b&width=&fps=&quality=} into the wall that serves it, made if new and held for the
 * request: 404 naming a feed there is not, 400 for a width below 16 or past {@link VideoSize#MAX_SIDE}, 503 with
 * {@code Retry-After} when {@link Walls#MAX} other walls are watched.
 */
final class WallRequests {

    static final int DEFAULT_QUALITY = 80;

    private WallRequests() {
    }

    /** The wall, held for the caller (who lets go with its capture's {@code release()}), or {@code null} after answering. */
    static Feed serve(ChannelHandlerContext ctx, HttpRequest request, Feeds feeds, Walls walls, ClientQuery.WallQuery query) {
        List<Feed> chosen = new ArrayList<>();
        if (query.feeds() == null) {
            chosen.addAll(feeds.all());
        } else {
            for (String name : query.feeds()) {
                Feed feed = feeds.get(name);
                if (feed == null) {
                    feeds.missed(name);
                    Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.NOT_FOUND, "no such feed: "
                            + name + " (feeds: " + feeds.names() + ")"), false);
                    return null;
                }
                chosen.add(feed);
            }
        }
        if (chosen.isEmpty() || walls == null) {
            VariantRequests.busy(ctx, request, chosen.isEmpty() ? feeds.whyNone() : "this server makes no walls");
            return null;
        }
        if (query.width() != 0 && (query.width() < VariantRequests.MIN_SIDE || query.width() > VideoSize.MAX_SIDE)) {
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.BAD_REQUEST, "width=" + query.width()
                    + " is not a wall's width (expected: width=N, from " + VariantRequests.MIN_SIDE + " to "
                    + VideoSize.MAX_SIDE + ")"), false);
            return null;
        }
        List<String> names = chosen.stream().map(Feed::name).toList();
        double fps = query.fps() > 0 ? Math.min(query.fps(), Walls.MAX_FPS) : Walls.defaultFps(chosen);
        Walls.Key key = new Walls.Key(names, query.width(), fps,
                query.quality() > 0 ? query.quality() : DEFAULT_QUALITY);
        Feed wall = walls.hold(key, chosen);
        if (wall == null) {
            VariantRequests.busy(ctx, request, "the server's " + Walls.MAX + " walls are in use: " + String.join("; ",
                    walls.inUse().stream().map(String::valueOf).toList()) + " (expected: one of those, or retry once one"
                    + " is let go)");
        }
        return wall;
    }
}
