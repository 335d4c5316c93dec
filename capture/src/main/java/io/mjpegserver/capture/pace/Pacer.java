package io.mjpegserver.capture.pace;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Paces a pulled source's grabs at its rate, and is where the capture thread waits for anything (a frame
 * period, a backoff, a client): it parks, never spins, and wakes early when unparked or when its
 * {@code keepWaiting} condition turns false. Capture thread only.
 */
public final class Pacer {

    /** A frame moves toward the grid by at most this fraction of the period: 1/20, 5 %. */
    private static final long MAX_STEP_DIVISOR = 20;

    private Pacer() {
    }

    /**
     * Sleeps until the frame after the one due at {@code deadline} is due, and returns that time; a source
     * that fell behind by more than a frame does not burst. {@code fps} 0: the source paces itself, no wait.
     * Frames converge on one grid of the period for every source at that rate (multiples of it on the monotonic
     * clock), so feeds at one rate wake together: the timers that wake their threads and the event loops their
     * frames are posted to wake once a tick for all of them, not once per feed.
     */
    public static long next(long deadline, double fps, BooleanSupplier keepWaiting) {
        if (fps <= 0) {
            return System.nanoTime();
        }
        long due = due(deadline, Math.max(1, (long) (1e9 / fps)), System.nanoTime());
        parkUntil(due, keepWaiting);
        return due;
    }

    /**
     * When the frame after the one due at {@code deadline} is due, it being {@code now}: a period later, moved
     * toward the grid's nearest tick by at most a twentieth of the period, so a source reaches the grid within ten
     * frames while every interval stays within 5 % of its rate (a 0.5 fps source still reads 0.5 fps from its second
     * frame); {@code now} for a source more than a frame behind.
     */
    static long due(long deadline, long period, long now) {
        long next = deadline + period;
        long tick = Math.floorDiv(next + period / 2, period) * period;
        long step = (period + MAX_STEP_DIVISOR - 1) / MAX_STEP_DIVISOR;
        next += Math.max(-step, Math.min(step, tick - next));
        return next < now - period ? now : next;
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
