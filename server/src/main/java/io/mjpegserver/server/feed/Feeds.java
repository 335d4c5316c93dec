package io.mjpegserver.server.feed;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's feeds by name, in the order they were configured. The first is the default feed: the one the
 * single-source paths ({@code /stream}, {@code /snapshot}, {@code /?action=stream}) serve, byte for byte as
 * before feeds existed. Immutable once built; read from any thread.
 */
public final class Feeds implements Iterable<Feed> {

    private final Map<String, Feed> byName;
    private final List<Feed> inOrder;

    /** @throws IllegalArgumentException when {@code feeds} is empty or two share a name */
    public Feeds(List<Feed> feeds) {
        if (feeds.isEmpty()) {
            throw new IllegalArgumentException("feeds: none (expected: at least one)");
        }
        Map<String, Feed> map = new LinkedHashMap<>();
        for (Feed feed : feeds) {
            if (map.put(feed.name(), feed) != null) {
                throw new IllegalArgumentException("feed name: '" + feed.name() + "' twice (expected: unique names)");
            }
        }
        this.byName = Collections.unmodifiableMap(map);
        this.inOrder = List.copyOf(feeds);
    }

    /** The feed called {@code name}, or {@code null}. */
    public Feed get(String name) {
        return byName.get(name);
    }

    /** The first feed, served on the single-source paths. */
    public Feed defaultFeed() {
        return inOrder.get(0);
    }

    public List<Feed> all() {
        return inOrder;
    }

    /** The names, comma-separated, for messages. */
    public String names() {
        return String.join(", ", byName.keySet());
    }

    @Override
    public Iterator<Feed> iterator() {
        return inOrder.iterator();
    }
}
