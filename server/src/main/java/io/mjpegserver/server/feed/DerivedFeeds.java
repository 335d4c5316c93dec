package io.mjpegserver.server.feed;

import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Derived feeds (a feed's variants, the server's walls) shared by identical requests: made for the first client,
 * held by each client of it, closed {@link #GRACE_MILLIS} after the last let go. At most {@code max} at once.
 * Thread-safe; closing runs on Netty's global executor, never on an event loop, as a broadcaster's close waits.
 *
 * @param <K> what tells two derived feeds apart (a variant's size and quality, a wall's feeds, width and rate)
 */
public final class DerivedFeeds<K> implements AutoCloseable {

    /** How long a derived feed outlives its last client: a page reload or a snapshot poll finds it still there. */
    public static final long GRACE_MILLIS = 2000;

    private final int max;
    private final Map<K, DerivedFeed> live = new LinkedHashMap<>();
    private boolean closed;

    /** @param max the most derived feeds at once, {@code >= 0} */
    public DerivedFeeds(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        }
        this.max = max;
    }

    /**
     * The derived feed of {@code key} with one hold taken for the caller, who lets go with its capture's
     * {@code release()}; made by {@code maker} when there is none. {@code null} when {@code max} are in use.
     */
    public synchronized Feed hold(K key, Function<K, DerivedFeed> maker) {
        DerivedFeed derived = live.get(key);
        if (derived == null) {
            if (closed || live.size() >= max) {
                return null;
            }
            derived = maker.apply(key);
            live.put(key, derived);
            derived.start();
        }
        derived.acquire();
        return derived.feed();
    }

    /** The most derived feeds at once. */
    public int max() {
        return max;
    }

    /** The derived feeds of now, oldest first. */
    public synchronized List<DerivedFeed> all() {
        return new ArrayList<>(live.values());
    }

    /** The keys in use, for a refusal's message. */
    public synchronized List<K> keys() {
        return new ArrayList<>(live.keySet());
    }

    synchronized void held(DerivedFeed derived) {
        derived.holds++;
        if (derived.closing != null) {
            derived.closing.cancel(false);
            derived.closing = null;
        }
    }

    synchronized void letGo(DerivedFeed derived) {
        if (--derived.holds == 0 && !closed) {
            derived.closing = GlobalEventExecutor.INSTANCE.schedule(() -> expire(derived), GRACE_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void expire(DerivedFeed derived) {
        synchronized (this) {
            if (derived.holds > 0 || live.get(derived.key()) != derived) {
                return;
            }
            live.remove(derived.key());
        }
        derived.feed().close();
    }

    /** Closes every derived feed now, clients and all; none is made after this. */
    @Override
    public void close() {
        List<DerivedFeed> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(live.values());
            live.clear();
            for (DerivedFeed derived : all) {
                if (derived.closing != null) {
                    derived.closing.cancel(false);
                }
            }
        }
        for (DerivedFeed derived : all) {
            derived.feed().close();
        }
    }
}
