package io.mjpegserver.server.config;

import java.util.List;

/**
 * What the server serves: its own feeds, or, on an edge, every feed of another server. Immutable.
 *
 * @param list   the feeds, the first the default one; empty on an edge
 * @param mirror the origin an edge mirrors, or {@code null}
 */
public record FeedsConfig(List<FeedConfig> list, MirrorConfig mirror) {

    /** No feed yet: enough for a connection pipeline alone; a server needs {@link #of} or {@link #edge}. */
    public static final FeedsConfig NONE = new FeedsConfig(List.of(), null);

    public FeedsConfig {
        list = List.copyOf(list);
        if (mirror != null && !list.isEmpty()) {
            throw new IllegalArgumentException("feeds: " + list.size() + " and a mirror (expected: feeds, or a mirror)");
        }
    }

    public static FeedsConfig of(List<FeedConfig> feeds) {
        return new FeedsConfig(feeds, null);
    }

    /** An edge's: every feed {@code origin} has, under the same names. */
    public static FeedsConfig edge(MirrorConfig origin) {
        return new FeedsConfig(List.of(), origin);
    }
}
