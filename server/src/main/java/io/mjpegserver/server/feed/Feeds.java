package io.mjpegserver.server.feed;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The server's feeds by name, in order; the first is the default feed, the one {@code /stream}, {@code /snapshot}
 * and {@code /?action=stream} serve. Fixed at start, but for a mirroring edge, which starts with none and follows
 * its origin: {@link #replace} swaps the whole list at once, so a reader on any thread sees the old list or the
 * new one, never half of each. While there is none, {@link #whyNone()} says why.
 */
public final class Feeds implements Iterable<Feed> {

    /** One consistent view: the list and its index by name. */
    private record Listing(List<Feed> inOrder, Map<String, Feed> byName) {
        static Listing of(List<Feed> feeds) {
            Map<String, Feed> map = new LinkedHashMap<>();
            for (Feed feed : feeds) {
                if (map.put(feed.name(), feed) != null) {
                    throw new IllegalArgumentException("feed name: '" + feed.name() + "' twice (expected: unique names)");
                }
            }
            return new Listing(List.copyOf(feeds), Map.copyOf(map));
        }
    }

    private volatile Listing listing;
    private volatile String whyNone = "no feeds";
    private volatile Consumer<String> onMiss = name -> { };

    /** @throws IllegalArgumentException when {@code feeds} is empty or two share a name */
    public Feeds(List<Feed> feeds) {
        if (feeds.isEmpty()) {
            throw new IllegalArgumentException("feeds: none (expected: at least one)");
        }
        this.listing = Listing.of(feeds);
    }

    private Feeds(String whyNone) {
        this.listing = Listing.of(List.of());
        this.whyNone = whyNone;
    }

    /** No feed yet, for an edge that learns its feeds from its origin; {@code whyNone} says so to clients. */
    public static Feeds none(String whyNone) {
        return new Feeds(whyNone);
    }

    /** The feed called {@code name}, or {@code null}. */
    public Feed get(String name) {
        return listing.byName().get(name);
    }

    /** The first feed, served on the single-source paths; {@code null} while there is none. */
    public Feed defaultFeed() {
        List<Feed> all = listing.inOrder();
        return all.isEmpty() ? null : all.get(0);
    }

    /** Every feed as of now, the default first. */
    public List<Feed> all() {
        return listing.inOrder();
    }

    /** The names, comma-separated, for messages. */
    public String names() {
        return String.join(", ", listing.inOrder().stream().map(Feed::name).toList());
    }

    /**
     * Makes {@code feeds} the feeds, in that order; a feed left out of {@code feeds} is the caller's to close.
     *
     * @throws IllegalArgumentException when two share a name
     */
    public void replace(List<Feed> feeds) {
        listing = Listing.of(feeds);
    }

    /** Why there is no feed, in words for a client or a load balancer. */
    public String whyNone() {
        return whyNone;
    }

    public void whyNone(String reason) {
        whyNone = reason;
    }

    /** Tells the {@link #onMiss} listener that a request named a feed there is not (or any, with {@code null}). */
    public void missed(String name) {
        onMiss.accept(name);
    }

    /** Who hears of requests for a feed there is not: a mirror asks its origin again. Must not block. */
    public void onMiss(Consumer<String> listener) {
        onMiss = listener;
    }

    @Override
    public Iterator<Feed> iterator() {
        return listing.inOrder().iterator();
    }
}
