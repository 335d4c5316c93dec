package io.mjpegserver.bench;

import java.io.PrintStream;
import java.util.Locale;

/** The line printed while a run goes on, at most once per interval. Used by the main thread only. */
final class Progress {

    private final PrintStream out;
    private final long intervalNanos;
    private long lastNanos = System.nanoTime();
    private long lastParts;
    private long lastBytes;

    /** @param out where to print, or null for silence */
    Progress(PrintStream out, long intervalNanos) {
        this.out = out;
        this.intervalNanos = intervalNanos;
    }

    void maybePrint(String phase, long elapsedNanos, long phaseNanos, RunState run, int clients) {
        long now = System.nanoTime();
        long dt = now - lastNanos;
        if (out == null || dt < intervalNanos) {
            return;
        }
        long parts = run.parts.sum();
        long bytes = run.bytes.sum();
        int active = run.active.get();
        double seconds = dt / 1e9;
        double fps = active == 0 ? 0 : (parts - lastParts) / seconds / active;
        double gbits = (bytes - lastBytes) * 8 / seconds / 1e9;
        out.println(String.format(Locale.ROOT,
                "[%-8s %6.1f/%.1f s] %d/%d connected | %.1f fps/client | %.3f Gbit/s | connect failures %d,"
                        + " disconnects %d, protocol errors %d",
                phase, elapsedNanos / 1e9, phaseNanos / 1e9, active, clients, fps, gbits, run.connectFailures.get(),
                run.disconnects.get(), run.protocolErrors.get()));
        out.flush();
        lastNanos = now;
        lastParts = parts;
        lastBytes = bytes;
    }
}
