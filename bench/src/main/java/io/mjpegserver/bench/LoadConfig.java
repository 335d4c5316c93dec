package io.mjpegserver.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * One load run, validated once: whom to load (only this machine), how many connections, how fast they are
 * opened, and for how long the run warms up and then measures. Every count and duration is bounded.
 *
 * @param address        where to connect: always 127.0.0.1
 * @param hostHeader     the request's Host header
 * @param path           the request target, with its query
 * @param serverPid      the server's process id, to sample its CPU and memory over the window; 0 for none
 * @param jsonOut        a file the JSON line is appended to as well, or null
 */
record LoadConfig(InetSocketAddress address, String hostHeader, String path, int clients, double rampPerSecond,
        Duration warmup, Duration duration, boolean http10, int threads, Duration connectTimeout,
        Duration progressInterval, long serverPid, Path jsonOut, String label) {

    static final int MAX_CLIENTS = 20_000;
    static final Duration MAX_WARMUP = Duration.ofMinutes(10);
    static final Duration MAX_DURATION = Duration.ofHours(1);
    /** "localhost" too: the server binds 127.0.0.1, and localhost may resolve to ::1 first. */
    private static final InetAddress IPV4_LOOPBACK = ipv4Loopback();

    LoadConfig {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("address: " + address + " (expected: 127.0.0.1; the load client only loads this machine)");
        }
        check(clients >= 1 && clients <= MAX_CLIENTS, "clients", clients, "1 to " + MAX_CLIENTS);
        check(rampPerSecond >= 1 && rampPerSecond <= 10_000, "ramp", rampPerSecond, "1 to 10000 connections per second");
        check(!warmup.isNegative() && warmup.compareTo(MAX_WARMUP) <= 0, "warmup", warmup.toMillis() / 1e3, "0 to 600 s");
        check(duration.toMillis() >= 1000 && duration.compareTo(MAX_DURATION) <= 0, "duration", duration.toMillis() / 1e3,
                "1 to 3600 s");
        check(threads >= 1 && threads <= 64, "threads", threads, "1 to 64");
        check(connectTimeout.toMillis() >= 100 && connectTimeout.toMillis() <= 60_000, "connect-timeout",
                connectTimeout.toMillis() / 1e3, "0.1 to 60 s");
        check(progressInterval.toMillis() >= 100 && progressInterval.toMillis() <= 60_000, "progress",
                progressInterval.toMillis() / 1e3, "0.1 to 60 s");
        check(serverPid >= 0, "server-pid", serverPid, "a process id, or 0 for none");
        label = label == null ? "" : label;
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: " + expected + ")");
        }
    }

    /** The longest the connections can take to open: the ramp, plus one connect timeout for the last. */
    Duration rampTime() {
        return Duration.ofMillis((long) Math.ceil(clients * 1000 / rampPerSecond)).plus(connectTimeout);
    }

    /** An upper bound on the whole run; the watchdog ends the process a minute past it. */
    Duration maxRunTime() {
        return rampTime().plus(warmup).plus(duration).plusSeconds(30);
    }

    String url() {
        return "http://" + hostHeader + path;
    }

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Where a URL points, checked to be this machine. */
    record Target(InetSocketAddress address, String hostHeader, String path) {
    }

    /** @throws IllegalArgumentException unless {@code url} is http://127.0.0.1 or http://localhost, any port */
    static Target target(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: '" + url + "' (expected: http://127.0.0.1:PORT/stream)");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!"http".equalsIgnoreCase(uri.getScheme()) || !(host.equals("127.0.0.1") || host.equals("localhost"))
                || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("url: '" + url
                    + "' (expected: http://127.0.0.1:PORT/... or http://localhost:PORT/...; only this machine is loaded)");
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        return new Target(new InetSocketAddress(IPV4_LOOPBACK, port), host + ":" + port, path);
    }
}
