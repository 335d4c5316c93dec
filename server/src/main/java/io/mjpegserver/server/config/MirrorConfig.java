package io.mjpegserver.server.config;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.DisplayUrl;
import io.mjpegserver.capture.SourceSpec;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * An edge's origin ({@code --mirror URL}): another mjpeg-server whose every feed this one relays under the same name,
 * on demand, each with {@code capture} (its source replaced by the feed's URL) and {@code options}. The origin's
 * address ends in {@code /}; {@code state} and {@code cam/NAME/stream} are resolved against it. An origin with more
 * than {@code maxFeeds} feeds has its first ones mirrored, and a line says so. Validated once, immutable.
 */
public record MirrorConfig(URI origin, CaptureConfig capture, CaptureOptions options, int maxFeeds) {

    /** Far more than one origin serves, far fewer than would make an edge's own figures and state unwieldy. */
    public static final int DEFAULT_MAX_FEEDS = 1000;

    private static final String EXPECTED = " (expected: the http:// or https:// address of another mjpeg-server,"
            + " such as http://origin:8080/)";

    public MirrorConfig {
        check(origin);
        if (maxFeeds < 1) {
            throw new IllegalArgumentException("mirror-max-feeds: " + maxFeeds + " (expected: > 0)");
        }
        if (!options.onDemand()) {
            options = new CaptureOptions(true, options.idleGrace(), options.dropSameFrames(), options.ringSeconds())
                    .withMemory(options.memory());
        }
    }

    /** With {@link #DEFAULT_MAX_FEEDS}. */
    public MirrorConfig(URI origin, CaptureConfig capture, CaptureOptions options) {
        this(origin, capture, options, DEFAULT_MAX_FEEDS);
    }

    /**
     * The origin {@code text} names, its path ending in {@code /}.
     *
     * @throws IllegalArgumentException in words for users, never quoting a password
     */
    public static URI parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + DisplayUrl.of(text) + "' is not a valid URL" + EXPECTED);
        }
        check(uri);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.resolve(path.endsWith("/") ? path : path + "/");
    }

    private static void check(URI uri) {
        String scheme = uri == null ? null : uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + DisplayUrl.of(uri == null ? "" : uri.toString()) + "'" + EXPECTED);
        }
    }

    /** The origin as {@link DisplayUrl} shows it, for logs and messages. */
    public String describe() {
        return DisplayUrl.of(origin);
    }

    /** Never the origin's credentials, wherever the record is printed. */
    @Override
    public String toString() {
        return "MirrorConfig[" + describe() + "]";
    }

    /** The origin's feed {@code name}, relayed on demand under the same name. */
    public FeedConfig feed(String name) {
        URI stream = origin.resolve("cam/" + name + "/stream");
        return new FeedConfig(name, capture.withSource(new SourceSpec.Url(stream)), options);
    }

    /**
     * The origin's feed {@code name}, one of {@code listed} the edge mirrors: without a {@code --memory} of its
     * own, each gets an equal share of the JVM's direct memory, so all of them together fit.
     */
    public FeedConfig feed(String name, int listed) {
        FeedConfig feed = feed(name);
        if (options.memory() != CaptureOptions.AUTO_MEMORY) {
            return feed;
        }
        long share = MemoryBudgets.share(MemoryBudgets.maxDirectMemory(), listed);
        return feed.withOptions(options.withMemory(share));
    }
}
