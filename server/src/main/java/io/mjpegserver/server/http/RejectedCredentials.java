package io.mjpegserver.server.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests whose credentials were wrong, told to the operator at INFO: at most one line per client address per
 * minute, which counts the others from it since its last line. Addresses seen are kept at most
 * {@link #MOST_ADDRESSES}; past that, those quiet for a minute are forgotten, then the ones beyond are only
 * counted in a shared line. Thread-safe, never blocks for long (one address's lock).
 */
final class RejectedCredentials {

    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MOST_ADDRESSES = 4096;
    private static final String OTHERS = "other addresses";

    private final Logger log;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    RejectedCredentials() {
        this(LoggerFactory.getLogger(RejectedCredentials.class));
    }

    RejectedCredentials(Logger log) {
        this.log = log;
    }

    /** Wrong credentials from {@code address} (no port) at {@code now} for {@code request} ({@code GET /stream}). */
    void rejected(String address, String request, long now) {
        Window window = windows.get(address);
        if (window == null) {
            if (windows.size() >= MOST_ADDRESSES) {
                windows.values().removeIf(w -> w.quietSince(now));
            }
            String key = windows.size() >= MOST_ADDRESSES ? OTHERS : address;
            window = windows.computeIfAbsent(key, k -> new Window());
        }
        long more = window.lineDue(now);
        if (more >= 0) {
            log.info("rejected credentials from {} for {} (401){}", address, request,
                    more == 0 ? "" : "; " + more + " more from it in the minute before, not logged");
        }
    }

    /** One address's minute: when its last line went out, and the rejections since. */
    private static final class Window {
        private long lineAt;
        private boolean logged;
        private long since;

        /** The count to tell in a line due now, or -1 when none is due (the rejection is then only counted). */
        synchronized long lineDue(long now) {
            if (logged && now - lineAt < INTERVAL_NANOS) {
                since++;
                return -1;
            }
            long more = since;
            logged = true;
            lineAt = now;
            since = 0;
            return more;
        }

        synchronized boolean quietSince(long now) {
            return now - lineAt >= INTERVAL_NANOS;
        }
    }
}
