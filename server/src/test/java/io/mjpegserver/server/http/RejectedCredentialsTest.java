package io.mjpegserver.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.Marker;

/** Wrong credentials: a line per address per minute at INFO, counting the ones not logged. */
class RejectedCredentialsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void oneLinePerAddressPerMinuteWithTheCountOfTheOthers() {
        Lines lines = new Lines();
        RejectedCredentials credentials = new RejectedCredentials(lines);
        long t = 1_000 * SECOND;
        for (int i = 0; i < 5; i++) {
            credentials.rejected("192.0.2.7", "GET /stream", t + i * SECOND);
        }
        credentials.rejected("192.0.2.8", "GET /snapshot", t + 2 * SECOND);
        credentials.rejected("192.0.2.7", "GET /stream", t + 61 * SECOND);
        credentials.rejected("192.0.2.7", "GET /stream", t + 62 * SECOND);
        assertEquals(List.of(
                "INFO rejected credentials from 192.0.2.7 for GET /stream (401)",
                "INFO rejected credentials from 192.0.2.8 for GET /snapshot (401)",
                "INFO rejected credentials from 192.0.2.7 for GET /stream (401); 4 more from it in the minute before,"
                        + " not logged"), lines.lines);
    }

    /** A logger that keeps its lines. */
    private static final class Lines extends AbstractLogger {
        final List<String> lines = new ArrayList<>();

        Lines() {
            this.name = "lines";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override public boolean isTraceEnabled() { return true; }
        @Override public boolean isTraceEnabled(Marker marker) { return true; }
        @Override public boolean isDebugEnabled() { return true; }
        @Override public boolean isDebugEnabled(Marker marker) { return true; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isInfoEnabled(Marker marker) { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isWarnEnabled(Marker marker) { return true; }
        @Override public boolean isErrorEnabled() { return true; }
        @Override public boolean isErrorEnabled(Marker marker) { return true; }
    }
}
