package io.mjpegserver.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/** The endpoints, with the aliases real clients use (mjpg-streamer's {@code /?action=} scheme among them). */
enum Route {
    INDEX,
    STREAM,
    SNAPSHOT,
    STATE,
    METRICS,
    HEALTHZ,
    WALL,
    WALL_SNAPSHOT,
    NOT_FOUND;

    /**
     * A routed request: the endpoint and the feed it names, {@code null} for the paths that name none (the
     * single-source paths serve the default feed; {@code /healthz} answers for every feed).
     */
    record Routed(Route route, String feed) {
    }

    private static final String FEED_PREFIX = "/cam/";

    /**
     * Routes a request URI (path and query). {@code /cam/NAME/...} names feed NAME and offers the per-feed
     * endpoints under it, with the same aliases as the single-source paths: {@code stream}, {@code stream.mjpg},
     * {@code snapshot}, {@code snapshot.jpg}, {@code healthz}, {@code ?action=stream}, {@code ?action=snapshot}.
     */
    static Routed of(QueryStringDecoder uri) {
        String path = uri.path();
        if (!path.startsWith(FEED_PREFIX)) {
            return new Routed(of(path, uri.parameters()), null);
        }
        int end = path.indexOf('/', FEED_PREFIX.length());
        String feed = path.substring(FEED_PREFIX.length(), end < 0 ? path.length() : end);
        Route route = of(end < 0 ? "/" : path.substring(end), uri.parameters());
        // Under a feed: only what belongs to one feed.
        return new Routed(route == STREAM || route == SNAPSHOT || route == HEALTHZ ? route : NOT_FOUND, feed);
    }

    private static Route of(String path, Map<String, List<String>> parameters) {
        switch (path) {
            case "/":
            case "/index.html":
                List<String> action = parameters.get("action");
                if (action == null || action.isEmpty()) {
                    return INDEX;
                }
                switch (action.get(0)) {
                    // mjpg-streamer numbers its inputs in the multi-input form; ours is input 0.
                    case "stream":
                    case "stream_0":
                        return STREAM;
                    case "snapshot":
                    case "snapshot_0":
                        return SNAPSHOT;
                    default:
                        return NOT_FOUND;
                }
            case "/stream":
            case "/stream.mjpg":
                return STREAM;
            case "/snapshot":
            case "/snapshot.jpg":
                return SNAPSHOT;
            case "/state":
                return STATE;
            case "/metrics":
                return METRICS;
            case "/healthz":
                return HEALTHZ;
            case "/wall":
            case "/wall.mjpg":
                return WALL;
            case "/wall/snapshot":
            case "/wall/snapshot.jpg":
                return WALL_SNAPSHOT;
            default:
                return NOT_FOUND;
        }
    }
}
