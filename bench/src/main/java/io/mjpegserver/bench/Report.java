package io.mjpegserver.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/** A run's results as a table for people and as one JSON line (flat, snake_case keys) for scripts. */
final class Report {

    private static final JsonFactory JSON = new JsonFactory();
    private static final double MB = 1024 * 1024;

    private Report() {
    }

    static String table(RunResult r) {
        LoadConfig c = r.config();
        RunResult.Window w = r.window();
        StringBuilder t = new StringBuilder();
        row(t, "target", "%s  HTTP/%s  %s x%d%s", c.url(), c.http10() ? "1.0" : "1.1", r.transport(), c.threads(),
                c.label().isEmpty() ? "" : "  [" + c.label() + "]");
        row(t, "clients", "%d started, %d connected at window start, %d at end; %d never connected",
                c.clients(), w.activeAtStart(), w.activeAtEnd(), r.neverConnected());
        row(t, "window", "%.1f s after %.1f s warm-up (ramp %.0f connections/s)", w.seconds(),
                c.warmup().toMillis() / 1e3, c.rampPerSecond());
        row(t, "fps per client", "min %.2f  median %.2f  mean %.2f  max %.2f  (source ~%.2f fps)", r.fpsMin(),
                r.fpsMedian(), r.fpsMean(), r.fpsMax(), r.sourceFps());
        row(t, "frames", "%d (%.0f/s); delivered %.2f %%, skipped %d, repeated %d, invalid %d", r.frames(),
                r.frames() / w.seconds(), r.deliveredPercent(), r.skipped(), r.repeats(), r.invalid());
        row(t, "received", "%.1f MB (%.1f MB/s, %.3f Gbit/s)", r.bytes() / MB, r.bytes() / MB / w.seconds(),
                r.gbitPerSecond());
        row(t, "latency", "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (%d frames)", r.latencyMs(50),
                r.latencyMs(90), r.latencyMs(99), r.latencyMs(99.9), r.latencyMaxMs(), w.latency().getTotalCount());
        row(t, "errors", "connect %d, disconnects %d (truncated %d), protocol %d, i/o %d", r.connectFailures(),
                r.disconnects(), r.truncated(), r.protocolErrors(), r.ioErrors());
        if (r.withoutSequence() + r.withoutTimestamp() > 0) {
            row(t, "headers", "%d parts without X-Frame-Sequence, %d without X-Timestamp", r.withoutSequence(),
                    r.withoutTimestamp());
        }
        row(t, "client CPU", "%.2f s (%.2f cores)", w.clientCpuSeconds(), w.clientCpuSeconds() / w.seconds());
        if (r.serverSampled()) {
            row(t, "server CPU", "%.2f s (%.2f cores); %.4f s per delivered Gbit", r.serverCpuSeconds(),
                    r.serverCpuSeconds() / w.seconds(), r.serverCpuSecondsPerGbit());
            row(t, "server RSS", "max %.0f MB in the window, peak %.0f MB", w.serverRssMax() / MB,
                    w.serverEnd().hwmBytes() / MB);
        }
        for (String error : r.errorSamples()) {
            row(t, "first errors", "%s", error);
        }
        return t.toString();
    }

    private static void row(StringBuilder t, String name, String format, Object... args) {
        t.append(String.format(Locale.ROOT, "%-15s ", name)).append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    static String json(RunResult r) {
        LoadConfig c = r.config();
        RunResult.Window w = r.window();
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("tool", "mjpeg-bench");
            g.writeStringField("label", c.label());
            g.writeStringField("url", c.url());
            g.writeStringField("http", c.http10() ? "1.0" : "1.1");
            g.writeStringField("transport", r.transport().toString());
            g.writeNumberField("threads", c.threads());
            g.writeNumberField("clients", c.clients());
            number(g, "ramp_per_s", c.rampPerSecond());
            number(g, "warmup_s", c.warmup().toMillis() / 1e3);
            number(g, "window_s", w.seconds());
            g.writeNumberField("connected_at_start", w.activeAtStart());
            g.writeNumberField("connected_at_end", w.activeAtEnd());
            g.writeNumberField("never_connected", r.neverConnected());
            g.writeNumberField("connect_failures", r.connectFailures());
            g.writeNumberField("disconnects", r.disconnects());
            g.writeNumberField("truncated", r.truncated());
            g.writeNumberField("protocol_errors", r.protocolErrors());
            g.writeNumberField("io_errors", r.ioErrors());
            g.writeNumberField("invalid_frames", r.invalid());
            number(g, "fps_min", r.fpsMin());
            number(g, "fps_median", r.fpsMedian());
            number(g, "fps_mean", r.fpsMean());
            number(g, "fps_max", r.fpsMax());
            number(g, "source_fps", r.sourceFps());
            g.writeNumberField("frames", r.frames());
            number(g, "frames_per_s", r.frames() / w.seconds());
            g.writeNumberField("frames_skipped", r.skipped());
            number(g, "delivered_pct", r.deliveredPercent());
            g.writeNumberField("repeats", r.repeats());
            g.writeNumberField("parts_without_sequence", r.withoutSequence());
            g.writeNumberField("parts_without_timestamp", r.withoutTimestamp());
            g.writeNumberField("bytes", r.bytes());
            number(g, "bytes_per_s", r.bytes() / w.seconds());
            number(g, "gbit_per_s", r.gbitPerSecond());
            g.writeNumberField("latency_count", w.latency().getTotalCount());
            number(g, "latency_p50_ms", r.latencyMs(50));
            number(g, "latency_p90_ms", r.latencyMs(90));
            number(g, "latency_p99_ms", r.latencyMs(99));
            number(g, "latency_p999_ms", r.latencyMs(99.9));
            number(g, "latency_max_ms", r.latencyMaxMs());
            number(g, "client_cpu_s", w.clientCpuSeconds());
            number(g, "client_cpu_cores", w.clientCpuSeconds() / w.seconds());
            g.writeNumberField("server_pid", c.serverPid());
            number(g, "server_cpu_s", r.serverCpuSeconds());
            number(g, "server_cpu_cores", r.serverCpuSeconds() / w.seconds());
            number(g, "server_cpu_s_per_gbit", r.serverCpuSecondsPerGbit());
            number(g, "server_rss_max_mb", r.serverSampled() ? w.serverRssMax() / MB : Double.NaN);
            number(g, "server_rss_peak_mb", r.serverSampled() ? w.serverEnd().hwmBytes() / MB : Double.NaN);
            g.writeArrayFieldStart("errors");
            for (String error : r.errorSamples()) {
                g.writeString(error);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** Rounded to 6 significant decimals; null for NaN, which JSON has not. */
    private static void number(JsonGenerator g, String name, double value) throws IOException {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, Math.round(value * 1e6) / 1e6);
        }
    }
}
