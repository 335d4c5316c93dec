package io.mjpegserver.server.interop;

import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.stream.SessionStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waits for the server's count of open stream sessions to reach a value. The server offers no event for a
 * session opening or closing, so this polls its snapshot of sessions until a deadline; the poll interval is
 * not a synchronisation, the deadline bounds the wait.
 */
final class StreamClients {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private StreamClients() {
    }

    /** Returns once the server has exactly {@code count} stream sessions; fails after {@code limit}. */
    static void awaitCount(MjpegServer server, int count, Duration limit) {
        await(server, sessions -> sessions.size() == count, count + " open stream session(s)", limit);
    }

    /** Returns once {@code condition} holds for the server's stream sessions; fails after {@code limit}. */
    static void await(MjpegServer server, Predicate<List<SessionStats>> condition, String what, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<SessionStats> sessions = server.streamClients();
        while (!condition.test(sessions)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected " + what + " within " + limit.toMillis()
                        + " ms; the server's stream sessions: " + sessions);
            }
            LockSupport.parkNanos(POLL_NANOS);
            sessions = server.streamClients();
        }
    }
}
