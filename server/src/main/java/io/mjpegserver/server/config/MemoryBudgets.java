package io.mjpegserver.server.config;

import io.mjpegserver.capture.CaptureOptions;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The feeds' byte budgets and the JVM's direct memory they share: every feed without a {@code memory} of its own
 * gets an equal share of what the feeds that have one leave, and the sum must fit the JVM's maximum direct
 * memory less a reserve for the server's own needs (connections, relayed parts being read, encoders, the
 * allocator's unused room in its chunks).
 */
public final class MemoryBudgets {

    private static final long MIB = 1L << 20;

    private MemoryBudgets() {
    }

    /** The JVM's maximum direct memory ({@code -XX:MaxDirectMemorySize}, else the heap's maximum). */
    public static long maxDirectMemory() {
        return PlatformDependent.maxDirectMemory();
    }

    /** What the server keeps back of {@code maxDirect} for itself: a quarter, at least 32 MiB. */
    static long reserve(long maxDirect) {
        return Math.max(32 * MIB, maxDirect / 4);
    }

    /** What the feeds may share of {@code maxDirect}. */
    public static long available(long maxDirect) {
        return Math.max(0, maxDirect - reserve(maxDirect));
    }

    /** The budget of a feed without one of its own, when {@code feeds} share {@code maxDirect} alone. */
    public static long share(long maxDirect, int feeds) {
        return Math.max(CaptureOptions.MIN_MEMORY, available(maxDirect) / Math.max(1, feeds));
    }

    /**
     * {@code feeds} with every budget set: as given, or an equal share of what the given ones leave.
     *
     * @throws IllegalArgumentException in one line naming the feeds and the numbers, when they cannot fit
     */
    public static List<FeedConfig> resolve(List<FeedConfig> feeds, long maxDirect) {
        long available = available(maxDirect);
        long given = 0;
        int auto = 0;
        for (FeedConfig feed : feeds) {
            if (feed.options().memory() == CaptureOptions.AUTO_MEMORY) {
                auto++;
            } else {
                given += feed.options().memory();
            }
        }
        long share = auto == 0 ? 0 : (available - given) / auto;
        if (given + (long) auto * CaptureOptions.MIN_MEMORY > available || auto > 0 && share < CaptureOptions.MIN_MEMORY) {
            throw new IllegalArgumentException(refusal(feeds, given, auto, available, maxDirect));
        }
        List<FeedConfig> resolved = new ArrayList<>(feeds.size());
        for (FeedConfig feed : feeds) {
            resolved.add(feed.options().memory() != CaptureOptions.AUTO_MEMORY ? feed
                    : feed.withOptions(feed.options().withMemory(share)));
        }
        return resolved;
    }

    private static String refusal(List<FeedConfig> feeds, long given, int auto, long available, long maxDirect) {
        List<String> named = new ArrayList<>();
        for (FeedConfig feed : feeds) {
            long memory = feed.options().memory();
            named.add(feed.name() + " " + (memory == CaptureOptions.AUTO_MEMORY
                    ? "auto (at least " + size(CaptureOptions.MIN_MEMORY) + ")" : size(memory)));
        }
        long needed = given + (long) auto * CaptureOptions.MIN_MEMORY;
        return "memory: feeds " + String.join(", ", named) + " need " + size(needed) + ", but the JVM's "
                + size(maxDirect) + " of direct memory (-XX:MaxDirectMemorySize) leaves " + size(available)
                + " for feeds after " + size(reserve(maxDirect)) + " for the server's own needs (expected: smaller memory"
                + " values, or a larger -XX:MaxDirectMemorySize)";
    }

    /** {@code bytes} for people: MiB with up to one decimal, or bytes below 1 MiB. */
    public static String size(long bytes) {
        if (bytes < MIB) {
            return bytes + " bytes";
        }
        double mib = bytes / (double) MIB;
        return (mib == Math.rint(mib) ? String.valueOf((long) mib) : String.format(Locale.ROOT, "%.1f", mib)) + " MiB";
    }
}
