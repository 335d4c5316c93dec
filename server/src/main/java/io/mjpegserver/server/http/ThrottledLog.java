package io.mjpegserver.server.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that a client can cause over and over (a flood, a reconnect loop): at most one line per interval,
 * without a stack trace, saying how many more there were since the line before. Thread-safe, never blocks.
 */
final class ThrottledLog {

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    ThrottledLog(Logger log, long intervalNanos) {
        this.log = log;
        this.intervalNanos = intervalNanos;
    }

    /** Logs {@code message} at WARN, unless a line went out less than the interval ago: then it is only counted. */
    void warn(String message) {
        long now = System.nanoTime();
        long due = next.get();
        if (now - due < 0 || !next.compareAndSet(due, now + intervalNanos)) {
            suppressed.incrementAndGet();
            log.debug("{}", message);
            return;
        }
        long more = suppressed.getAndSet(0);
        if (more == 0) {
            log.warn("{}", message);
        } else {
            log.warn("{} ({} more like it in the last {} s, not logged)", message, more, intervalNanos / 1_000_000_000L);
        }
    }
}
