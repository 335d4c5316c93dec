package io.mjpegserver.capture.supervise;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One feed's task on the shared {@link SupervisorThreads}: run one at a time however often it is asked, and once more
 * after a run when asked during it, so what changed meanwhile is seen. The task catches what it throws (an
 * {@link Error} goes to the fatal handler): a task that threw would never run again.
 */
final class SerialTask {

    private final ScheduledExecutorService pool;
    private final Runnable task;
    private final AtomicInteger requests = new AtomicInteger();
    private ScheduledFuture<?> timer; // guarded by this

    SerialTask(ScheduledExecutorService pool, Runnable task) {
        this.pool = pool;
        this.task = task;
    }

    /** Runs the task soon (never on the caller's thread). Never blocks. */
    void request() {
        if (requests.getAndIncrement() == 0) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException shutDown) {
                requests.set(0);
            }
        }
    }

    /**
     * Runs the task now on the calling thread, one of the pool's (a periodic tick, which then wakes no other thread),
     * or, when a run is under way, has that run go once more. Never blocks.
     */
    void runHere() {
        if (requests.getAndIncrement() == 0) {
            drain();
        }
    }

    /** Runs the task at {@code nanoTime} ({@link System#nanoTime()}) unless asked sooner; replaces the time asked before. */
    void requestAt(long nanoTime) {
        synchronized (this) {
            if (timer != null) {
                timer.cancel(false);
            }
            try {
                timer = pool.schedule(this::runHere, Math.max(0, nanoTime - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                timer = null;
            }
        }
    }

    /** Forgets the time asked for by {@link #requestAt}. */
    void cancelTimer() {
        synchronized (this) {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    private void drain() {
        int seen;
        do {
            seen = requests.get();
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                requests.set(0);
                throw e;
            }
        } while (requests.addAndGet(-seen) != 0);
    }
}
