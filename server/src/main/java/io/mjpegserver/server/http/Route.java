package io.mjpegserver.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/** The endpoints, with the aliases real clients use (mjpg-streamer's {@code /?action=} scheme among them). */
enum Route {
    INDEX,
    STREAM,
    SNAPSHOT,
    STATE,
    METRICS,
    HEALTHZ,
    NOT_FOUND;

    /** Routes a request URI (path and query). */
    static Route of(QueryStringDecoder uri) {
        switch (uri.path()) {
            case "/":
            case "/index.html":
                List<String> action = uri.parameters().get("action");
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
            default:
                return NOT_FOUND;
        }
    }
}
