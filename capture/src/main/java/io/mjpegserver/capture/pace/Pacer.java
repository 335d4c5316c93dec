package io.mjpegserver.capture.pace;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Paces a pulled source's grabs at its rate, and is where the capture thread waits for anything (a frame
 * period, a backoff, a client): it parks, never spins, and wakes early when unparked or when its
 * {@code keepWaiting} condition turns false. Capture thread only.
 */
public final class Pacer {

    private Pacer() {
    }

    /**
     * Sleeps until the frame after the one due at {@code deadline} is due, and returns that time; a source
     * that fell behind by more than a frame does not burst. {@code fps} 0: the source paces itself, no wait.
     * Frames are due on one grid of the period for every source at that rate (multiples of it on the monotonic
     * clock), so feeds at one rate wake together: the timers that wake their threads and the event loops their
     * frames are posted to wake once a tick for all of them, not once per feed.
     */
    public static long next(long deadline, double fps, BooleanSupplier keepWaiting) {
        if (fps <= 0) {
            return System.nanoTime();
        }
        long period = (long) (1e9 / fps);
        long next = onGrid(deadline, period) + period;
        long now = System.nanoTime();
        if (next < now - period) {
            return now;
        }
        parkUntil(next, keepWaiting);
        return next;
    }

    /** The last multiple of {@code period} at or before {@code nanoTime}. */
    static long onGrid(long nanoTime, long period) {
        return Math.floorDiv(nanoTime, period) * period;
    }

    /** Parks until {@code nanoTime} ({@link Demand#NEVER}: until unparked), or sooner once {@code keepWaiting} is false. */
    public static void parkUntil(long nanoTime, BooleanSupplier keepWaiting) {
        while (keepWaiting.getAsBoolean()) {
            if (nanoTime == Demand.NEVER) {
                LockSupport.park(Pacer.class);
            } else {
                long left = nanoTime - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(Pacer.class, left);
            }
            // An interrupt (the watchdog's, meant for a grab) must not turn this wait into a spin.
            Thread.interrupted();
        }
    }
}
