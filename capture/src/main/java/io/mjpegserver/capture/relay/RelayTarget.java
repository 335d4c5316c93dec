package io.mjpegserver.capture.relay;

import io.mjpegserver.capture.SourceSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a relay connects and what it asks for, taken apart from the URL once.
 *
 * @param host          the host to connect to (an IPv6 literal without brackets)
 * @param hostHeader    the {@code Host} header: the host as written, and the port when not the default
 * @param requestTarget the path and query, {@code /} when the URL has no path
 * @param described     the URL without its password, for every message
 * @param user          from the URL's user info, percent-decoded; {@code null} when absent
 * @param password      likewise; {@code null} when absent
 */
record RelayTarget(boolean https, String host, int port, String hostHeader, String requestTarget, String described,
        String user, String password) {

    /** Throws {@link IllegalArgumentException} (in our words) for a URL that is not {@code http(s)://host...}. */
    static RelayTarget of(URI uri) {
        SourceSpec.Url spec = new SourceSpec.Url(uri);
        if (spec.rtsp()) {
            throw new IllegalArgumentException("url: '" + spec.describe()
                    + "' (expected: http:// or https://; rtsp:// is read through FFmpeg, not relayed)");
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String hostHeader = uri.getPort() >= 0 ? host + ":" + uri.getPort() : host;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        String user = null;
        String password = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? "" : decode(info.substring(colon + 1));
        }
        return new RelayTarget(https, bare, port, hostHeader, target, spec.describe(), user, password);
    }

    private static String decode(String raw) {
        // URLDecoder reads '+' as a space, which a URL's user info does not mean.
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return described; // never the password
    }
}
