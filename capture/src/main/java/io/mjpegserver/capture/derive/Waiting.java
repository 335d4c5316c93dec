package io.mjpegserver.capture.derive;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A bounded wait on a monitor, for a close that waits for work under way. */
final class Waiting {

    /** How long a close waits for work under way. */
    static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private Waiting() {
    }

    /** Holding {@code lock}: waits on it while {@code busy} is true, up to {@code nanos}; an interrupt ends it, kept. */
    static void whileBusy(Object lock, BooleanSupplier busy, long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (busy.getAsBoolean()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
