package io.mjpegserver.capture.supervise;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The few threads every feed's supervision shares, however many feeds there are: each feed's watchdog ticks here,
 * and a pushed source is opened and closed here (both only ever take short locks, and a pushed source's open and
 * close return at once). A feed holds no thread of its own for them, so an idle feed holds none at all. Whoever
 * makes it closes it, after the services that use it.
 */
public final class SupervisorThreads implements AutoCloseable {

    private final ScheduledThreadPoolExecutor pool;

    /** {@code threads} daemon threads named {@code capture-supervisor-N}. */
    public SupervisorThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
        }
        AtomicInteger count = new AtomicInteger();
        this.pool = new ScheduledThreadPoolExecutor(threads, task -> {
            Thread thread = new Thread(task, "capture-supervisor-" + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        // A feed closed while the server runs cancels its ticks: they must not stay queued.
        pool.setRemoveOnCancelPolicy(true);
    }

    /** As many as the machine has cores, at most 2: the work is a few field reads per feed per tick. */
    public static SupervisorThreads forThisMachine() {
        return new SupervisorThreads(Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    ScheduledExecutorService executor() {
        return pool;
    }

    /** Stops the threads, waiting up to a second for a step under way. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
