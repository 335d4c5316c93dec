package io.mjpegserver.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load client: opens N MJPEG stream connections to a server on this machine, measures what each
 * receives over a fixed window, and prints a table and one JSON line.
 */
@Command(name = "mjpeg-bench", mixinStandardHelpOptions = true, version = "mjpeg-bench 0.1", sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Loads an MJPEG stream on this machine with N concurrent clients and reports per-client fps,"
                + " throughput, frames skipped, latency from X-Timestamp to the part's last byte, errors and CPU."
                + " Progress goes to stderr; the table and then one JSON line to stdout.")
public final class LoadClient implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080/stream",
            description = "Stream URL; host 127.0.0.1 or localhost only. Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(names = {"-c", "--clients"}, paramLabel = "N", defaultValue = "1",
            description = "Concurrent connections, 1-" + LoadConfig.MAX_CLIENTS + ". Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--ramp", paramLabel = "PER_SECOND", defaultValue = "500",
            description = "Connections opened per second. Default: ${DEFAULT-VALUE}.")
    double ramp;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5", converter = Seconds.class,
            description = "Time after the ramp before measuring. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "20", converter = Seconds.class,
            description = "Measurement window. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--http10", description = "Ask with HTTP/1.0: a raw body, no chunking.")
    boolean http10;

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads. Default: the number of cores.")
    Integer threads;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5", converter = Seconds.class,
            description = "Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--progress", paramLabel = "SECONDS", defaultValue = "1", converter = Seconds.class,
            description = "Progress line interval. Default: ${DEFAULT-VALUE}.")
    Duration progressInterval;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "0",
            description = "Sample this process's CPU time and RSS (from /proc) over the window.")
    long serverPid;

    @Option(names = "--json-out", paramLabel = "FILE", description = "Also append the JSON line to FILE.")
    Path jsonOut;

    @Option(names = "--label", paramLabel = "TEXT", defaultValue = "", description = "Free text copied into the report.")
    String label;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LoadClient());
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("mjpeg-bench: " + e.getMessage() + " (see --help)");
            return CommandLine.ExitCode.USAGE;
        });
        return cli;
    }

    LoadConfig config() {
        LoadConfig.Target target = LoadConfig.target(url);
        int loops = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        return new LoadConfig(target.address(), target.hostHeader(), target.path(), clients, ramp, warmup, duration,
                http10, loops, connectTimeout, progressInterval, serverPid, jsonOut, label);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadConfig config;
        try {
            config = config();
            checkOpenFiles(config.clients());
        } catch (IllegalArgumentException e) {
            err.println("mjpeg-bench: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        startWatchdog(config.maxRunTime().plusSeconds(30));
        Progress progress = new Progress(quiet ? null : System.err, config.progressInterval().toNanos());
        RunResult result = new LoadRun(config, progress).run();
        String json = Report.json(result);
        out.print(Report.table(result));
        out.println(json);
        out.flush();
        if (config.jsonOut() != null) {
            try {
                Files.writeString(config.jsonOut(), json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                err.println("mjpeg-bench: cannot append to " + config.jsonOut() + ": " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        if (result.neverConnected() == config.clients()) {
            err.println("mjpeg-bench: no connection succeeded: is the server listening at " + config.url() + "?");
            err.flush();
            return 1;
        }
        return 0;
    }

    /** Each connection is a file descriptor; fail early, with the fix, rather than at connection 1000. */
    private static void checkOpenFiles(int clients) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long max = os.getMaxFileDescriptorCount();
            if (clients + 256L > max) {
                throw new IllegalArgumentException("clients: " + clients + " (expected: at most " + (max - 256)
                        + " with 'ulimit -n' at " + max + "; raise it, e.g. ulimit -n " + (clients + 1024) + ")");
            }
        }
    }

    /** The run is bounded in time even if something hangs: past its budget, the process ends. */
    private static void startWatchdog(Duration budget) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(budget.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("mjpeg-bench: still running " + budget.toSeconds() + " s after start: giving up");
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Seconds, possibly fractional, as a Duration. */
    static final class Seconds implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                double seconds = Double.parseDouble(value);
                if (seconds >= 0 && seconds <= 1e6) {
                    return Duration.ofNanos((long) (seconds * 1e9));
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' (expected: seconds, e.g. 5 or 0.5)");
        }
    }
}
