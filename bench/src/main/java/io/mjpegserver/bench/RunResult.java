package io.mjpegserver.bench;

import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one run measured, over its window. Totals are summed over every client that was started, so a
 * client that never connected counts with 0 fps.
 */
record RunResult(LoadConfig config, ClientTransport transport, Window window, int neverConnected, double[] fps,
        long frames, long bytes, long skipped, long repeats, long invalid, long withoutSequence, long withoutTimestamp,
        double sourceFps, int connectFailures, int disconnects, int truncated, int protocolErrors, int ioErrors,
        List<String> errorSamples) {

    /**
     * The measurement window.
     *
     * @param seconds        its length
     * @param latency        microseconds from X-Timestamp to the part's last byte, per new frame
     * @param clientCpuSeconds this process's CPU time over the window
     * @param serverStart    the server's /proc figures at the start, or null when not sampled
     * @param serverRssMax   the largest server RSS sampled in the window, in bytes
     */
    record Window(double seconds, int activeAtStart, int activeAtEnd, Histogram latency, double clientCpuSeconds,
            ProcStat serverStart, ProcStat serverEnd, long serverRssMax) {
    }

    /** Sums the clients' counters; call only after their event loops have stopped. */
    static RunResult of(LoadConfig config, ClientTransport transport, RunState run, List<StreamClient> clients,
            Window window) {
        double[] fps = new double[config.clients()];
        long frames = 0;
        long bytes = 0;
        long skipped = 0;
        long repeats = 0;
        long invalid = 0;
        long withoutSequence = 0;
        long withoutTimestamp = 0;
        long span = 0;
        int neverConnected = 0;
        for (int i = 0; i < clients.size(); i++) {
            StreamClient c = clients.get(i);
            fps[i] = c.frames / window.seconds();
            frames += c.frames;
            bytes += c.bytes;
            skipped += c.skipped;
            repeats += c.repeats;
            invalid += c.invalid;
            withoutSequence += c.withoutSequence;
            withoutTimestamp += c.withoutTimestamp;
            span = Math.max(span, c.frames + c.skipped);
            neverConnected += c.connected ? 0 : 1;
        }
        neverConnected += config.clients() - clients.size();
        Arrays.sort(fps);
        return new RunResult(config, transport, window, neverConnected, fps, frames, bytes, skipped, repeats, invalid,
                withoutSequence, withoutTimestamp, span / window.seconds(), run.connectFailures.get(),
                run.disconnects.get(), run.truncated.get(), run.protocolErrors.get(), run.ioErrors.get(),
                run.errorSamples());
    }

    double fpsMin() {
        return fps[0];
    }

    double fpsMax() {
        return fps[fps.length - 1];
    }

    double fpsMedian() {
        int n = fps.length;
        return n % 2 == 1 ? fps[n / 2] : (fps[n / 2 - 1] + fps[n / 2]) / 2;
    }

    double fpsMean() {
        return frames / window.seconds() / fps.length;
    }

    double gbitPerSecond() {
        return bytes * 8 / window.seconds() / 1e9;
    }

    /** New frames received over new frames the server captured meanwhile (received plus skipped), in %. */
    double deliveredPercent() {
        return frames + skipped == 0 ? 0 : 100.0 * frames / (frames + skipped);
    }

    /** Latency percentile in milliseconds, or NaN with no sample. */
    double latencyMs(double percentile) {
        Histogram h = window.latency();
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e3;
    }

    double latencyMaxMs() {
        Histogram h = window.latency();
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1e3;
    }

    boolean serverSampled() {
        return window.serverStart() != null && window.serverEnd() != null;
    }

    double serverCpuSeconds() {
        return serverSampled() ? (window.serverEnd().cpuNanos() - window.serverStart().cpuNanos()) / 1e9 : Double.NaN;
    }

    /** Server CPU seconds per gigabit the clients received: the figure compared with iperf3's. */
    double serverCpuSecondsPerGbit() {
        double gbits = bytes * 8 / 1e9;
        return gbits == 0 ? Double.NaN : serverCpuSeconds() / gbits;
    }
}
