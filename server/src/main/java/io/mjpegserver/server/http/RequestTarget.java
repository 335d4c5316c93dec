package io.mjpegserver.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * A request target, decoded once: its path and query. The absolute form ({@code GET http://host/stream}, as
 * a proxy or an old client sends it) is served like its path, as RFC 9112 asks of a server.
 *
 * @param uri  the decoded path and query
 * @param path the decoded path
 */
record RequestTarget(QueryStringDecoder uri, String path) {

    /** The target of {@code rawUri}, or {@code null} when it does not decode (a bad percent-escape, say). */
    static RequestTarget parse(String rawUri) {
        QueryStringDecoder uri = new QueryStringDecoder(originForm(rawUri));
        try {
            // Both decode lazily and throw on a bad escape; decoding here keeps that out of the routing.
            String path = uri.path();
            uri.parameters();
            return new RequestTarget(uri, path);
        } catch (IllegalArgumentException badEscape) {
            return null;
        }
    }

    /** {@code http://host:port/p?q} becomes {@code /p?q}; anything else is left as it is. */
    private static String originForm(String rawUri) {
        int scheme = rawUri.indexOf("://");
        if (scheme <= 0 || !(rawUri.substring(0, scheme).equalsIgnoreCase("http")
                || rawUri.substring(0, scheme).equalsIgnoreCase("https"))) {
            return rawUri;
        }
        int pathStart = scheme + 3;
        while (pathStart < rawUri.length() && rawUri.charAt(pathStart) != '/' && rawUri.charAt(pathStart) != '?') {
            pathStart++;
        }
        String rest = rawUri.substring(pathStart);
        return rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest;
    }
}
