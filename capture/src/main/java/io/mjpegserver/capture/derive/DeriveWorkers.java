package io.mjpegserver.capture.derive;

import io.mjpegserver.capture.FatalErrorHandler;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every derived stream and wall works on: {@code threads} workers ({@code derive-N}) and one ticker
 * ({@code derive-ticker}) that only starts walls' ticks. All daemons. An {@link Error} on them goes to the
 * {@link FatalErrorHandler}. Whoever creates it closes it.
 */
public final class DeriveWorkers implements AutoCloseable {

    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor ticker;
    private final FatalErrorHandler fatal;

    public DeriveWorkers(int threads, FatalErrorHandler fatal) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        this.fatal = fatal;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "derive-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.ticker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "derive-ticker");
            t.setDaemon(true);
            return t;
        });
        ticker.setRemoveOnCancelPolicy(true);
    }

    /** The number of workers. */
    public int threads() {
        return workers.getCorePoolSize();
    }

    /** Runs {@code task} on a worker; whether it was taken (not after {@link #close()}). */
    boolean execute(Runnable task) {
        try {
            workers.execute(() -> guarded(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Runs {@code tick} on the ticker every {@code periodNanos}, the first at once; it must hand its work on. */
    ScheduledFuture<?> every(long periodNanos, Runnable tick) {
        return ticker.scheduleAtFixedRate(() -> guarded(tick), 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (Error e) {
            fatal.fatal(Thread.currentThread().getName(), e);
        }
    }

    /** Stops the ticker and the workers; a task under way may finish for up to a second. */
    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
