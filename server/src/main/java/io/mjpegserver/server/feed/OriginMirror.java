package io.mjpegserver.server.feed;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.server.config.MirrorConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge's feeds, kept equal to its origin's: each feed the origin's {@code /state} lists is relayed under the same
 * name and order, on demand. The origin is asked every {@link #EVERY}, and at once (at most once a
 * {@link #MISS_GAP}) when a request names a feed the edge lacks; while it does not answer, the known feeds stay.
 * A feed it stops listing is removed (its streams end, requests get 404). One thread of its own does the asking.
 */
public final class OriginMirror implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OriginMirror.class);

    static final Duration EVERY = Duration.ofSeconds(10);
    static final Duration MISS_GAP = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    private final MirrorConfig config;
    private final FeedStarter starter;
    private final Feeds feeds;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean missPending = new AtomicBoolean();
    private volatile long lastAskNanos = System.nanoTime() - MISS_GAP.toNanos();
    // Only on the mirror's thread:
    private Duration retry = FIRST_RETRY;
    private boolean reached;
    private String lastProblem;
    /** How many feeds the origin listed when the cap was last told, so it is told once per listing size. */
    private int cappedAt = -1;

    /** Feeds to follow the origin with; call {@link #start()} to ask it the first time. */
    public OriginMirror(MirrorConfig config, FeedStarter starter, Feeds feeds) {
        this.config = config;
        this.starter = starter;
        this.feeds = feeds;
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("mirror", true));
        feeds.whyNone("no feeds yet: origin " + config.describe() + " not asked yet");
        feeds.onMiss(this::missed);
    }

    /**
     * Asks the origin for its feeds and starts mirroring them; returns within a few seconds whether it answered
     * or not (an origin that is down is asked again, and the edge serves its feeds once it answers).
     */
    public void start() {
        try {
            thread.submit(this::askAndSchedule).get(2 * ASK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("origin {}: first look at its feeds did not finish: {}", config.describe(), e.toString());
        }
    }

    /** A request for a feed there is not: ask again now, unless asked within {@link #MISS_GAP}. */
    private void missed(String name) {
        if (System.nanoTime() - lastAskNanos > MISS_GAP.toNanos() && missPending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    missPending.set(false);
                    ask();
                });
            } catch (RejectedExecutionException closed) {
                // Shutting down.
            }
        }
    }

    private void askAndSchedule() {
        Duration next = ask() ? EVERY : retry;
        retry = nextRetry(next);
        if (!thread.isShutdown()) {
            thread.schedule(this::askAndSchedule, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The next retry after {@code next}: doubling while the origin does not answer, from 1 s again once it does. */
    private Duration nextRetry(Duration next) {
        if (next == EVERY) {
            return FIRST_RETRY;
        }
        Duration doubled = retry.multipliedBy(2);
        return doubled.compareTo(EVERY) > 0 ? EVERY : doubled;
    }

    /** Asks the origin once and follows what it says; whether it answered. On the mirror's thread. */
    private boolean ask() {
        lastAskNanos = System.nanoTime();
        List<String> names;
        try {
            names = OriginListing.read(config.origin(), ASK_TIMEOUT);
        } catch (OriginListing.Unreachable e) {
            String problem = e.getMessage();
            if (!problem.equals(lastProblem)) {
                log.warn("origin {} not reached ({}): {}; asking it again every 1 to {} s", config.describe(), problem,
                        feeds.all().isEmpty() ? "serving no feeds until it answers"
                                : "keeping its " + feeds.all().size() + " known feeds", EVERY.toSeconds());
            }
            lastProblem = problem;
            if (feeds.all().isEmpty()) {
                feeds.whyNone("no feeds yet: origin " + config.describe() + " not reached (" + problem + ")");
            }
            return false;
        }
        boolean announce = reached;
        names = capped(names);
        if (!reached || lastProblem != null) {
            log.info("origin {} reached: mirroring {} feeds ({}), each pulled on demand", config.describe(),
                    names.size(), String.join(", ", names));
        }
        reached = true;
        lastProblem = null;
        follow(names, announce);
        if (feeds.all().isEmpty()) {
            feeds.whyNone("no feeds: origin " + config.describe() + " lists none");
        }
        return true;
    }

    /**
     * The first {@link MirrorConfig#maxFeeds()} distinct names of {@code listed} (the default first); a line says
     * when the origin lists more, once for each number it lists.
     */
    private List<String> capped(List<String> listed) {
        List<String> names = List.copyOf(new java.util.LinkedHashSet<>(listed));
        if (names.size() <= config.maxFeeds()) {
            cappedAt = -1;
            return names;
        }
        if (names.size() != cappedAt) {
            cappedAt = names.size();
            log.warn("origin {} lists {} feeds, over --mirror-max-feeds {}: mirroring its first {} (raise"
                    + " --mirror-max-feeds to mirror more)", config.describe(), names.size(), config.maxFeeds(),
                    config.maxFeeds());
        }
        return names.subList(0, config.maxFeeds());
    }

    /** Makes the feeds the origin's {@code names}, in its order: new ones started, gone ones closed. */
    private void follow(List<String> names, boolean announce) {
        Map<String, Feed> known = new HashMap<>();
        for (Feed feed : feeds.all()) {
            known.put(feed.name(), feed);
        }
        List<Feed> next = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (String name : names) {
            if (!listed.add(name)) {
                continue;
            }
            Feed feed = known.remove(name);
            if (feed == null) {
                feed = start(name, names.size());
                if (feed == null) {
                    continue;
                }
                if (announce) {
                    log.info("origin {} has a new feed: {}", config.describe(), name);
                }
            }
            next.add(feed);
        }
        feeds.replace(next);
        for (Feed gone : known.values()) {
            log.info("origin {} no longer has feed {}: closing it and its {} clients", config.describe(), gone.name(),
                    gone.broadcaster().sessions().size());
            gone.close();
        }
    }

    /** Starts feed {@code name}, one of {@code listed}: without a budget of its own, it gets their equal share. */
    private Feed start(String name, int listed) {
        try {
            return starter.start(config.feed(name, listed));
        } catch (SourceException | RuntimeException e) {
            log.warn("origin {}: cannot mirror feed {}: {}", config.describe(), name, e.getMessage());
            return null;
        }
    }

    /** Stops asking the origin (waiting for a question under way); the feeds are the server's to close. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2 * ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
