package io.mjpegserver.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What every connection of one run shares: the phase, live totals for the progress line, error counts and
 * the latency recorder. Written from every event loop, read from the main thread.
 */
final class RunState {

    enum Phase { RAMP, WARMUP, MEASURE, DONE }

    /** Latencies above an hour are recorded as an hour. */
    static final long MAX_LATENCY_MICROS = 3_600_000_000L;
    private static final int MAX_ERROR_SAMPLES = 5;

    private volatile Phase phase = Phase.RAMP;
    final LongAdder parts = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger connectFailures = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
    final AtomicInteger protocolErrors = new AtomicInteger();
    final AtomicInteger truncated = new AtomicInteger();
    final AtomicInteger ioErrors = new AtomicInteger();
    /** Microseconds from X-Timestamp to the part's last byte, of new frames in the window. */
    final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
    private final List<String> errorSamples = new ArrayList<>();

    Phase phase() {
        return phase;
    }

    void phase(Phase next) {
        phase = next;
    }

    boolean measuring() {
        return phase == Phase.MEASURE;
    }

    boolean stopping() {
        return phase == Phase.DONE;
    }

    void recordLatency(long micros) {
        latency.recordValue(Math.max(0, Math.min(micros, MAX_LATENCY_MICROS)));
    }

    void connectFailure(String message) {
        connectFailures.incrementAndGet();
        sample("connect: " + message);
    }

    void protocolError(String message) {
        protocolErrors.incrementAndGet();
        sample("protocol: " + message);
    }

    /** The server closed a connection before the run ended, between parts. */
    void disconnect(String message) {
        disconnects.incrementAndGet();
        sample("disconnect: " + message);
    }

    /** The server closed a connection before the run ended, inside a part: counts as a disconnect too. */
    void truncated(String message) {
        disconnects.incrementAndGet();
        truncated.incrementAndGet();
        sample("disconnect: " + message);
    }

    void ioError(String message) {
        ioErrors.incrementAndGet();
        sample("i/o: " + message);
    }

    /** Keeps the first few distinct messages, for the report. */
    private void sample(String message) {
        synchronized (errorSamples) {
            if (errorSamples.size() < MAX_ERROR_SAMPLES && !errorSamples.contains(message)) {
                errorSamples.add(message);
            }
        }
    }

    List<String> errorSamples() {
        synchronized (errorSamples) {
            return List.copyOf(errorSamples);
        }
    }
}
