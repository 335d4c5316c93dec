package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real program run from a test: stdin from {@code /dev/null}, stdout and stderr to files (so a chatty child
 * never blocks on a full pipe and binary output survives), and a hard time limit after which it and every
 * process it started are killed. {@link #close()} kills whatever is still running.
 */
public final class ChildProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildProcess(List<String> command, Process process, Path stdout, Path stderr) {
        this.command = command;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code command} in {@code dir}, writing {@code dir/name.out} and {@code dir/name.err}. */
    public static ChildProcess start(Path dir, String name, List<String> command) throws IOException {
        return start(dir, name, command, Map.of());
    }

    /** As {@link #start(Path, String, List)}, with {@code environment} added to this process's. */
    public static ChildProcess start(Path dir, String name, List<String> command, Map<String, String> environment)
            throws IOException {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(environment);
        return new ChildProcess(List.copyOf(command), builder.start(), out, err);
    }

    /** Runs {@code command} to its end, or kills it after {@code limit}; see {@link Outcome#timedOut()}. */
    public static Outcome run(Path dir, String name, Duration limit, List<String> command)
            throws IOException, InterruptedException {
        try (ChildProcess child = start(dir, name, command)) {
            return child.await(limit);
        }
    }

    /** Waits at most {@code limit} for the program to end; kills it (and its children) when it does not. */
    public Outcome await(Duration limit) throws InterruptedException {
        boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            dumpJavaThreads();
            kill();
        }
        return new Outcome(command, ended ? process.exitValue() : -1, !ended, stdout, stderr);
    }

    /** Asks the program to stop (SIGTERM), as a user pressing Ctrl-C or closing it would; does not wait. */
    public void terminate() {
        process.destroy();
    }

    /** The process id, to read {@code /proc/PID/...}. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /**
     * A program that hangs is asked, when it is a JVM (itself or a child, as under {@code su}), for a thread dump
     * (SIGQUIT: the JVM prints it on its standard output and goes on), so the failure says where it hung. Waits
     * at most 5 s for the dump's last line.
     */
    private void dumpJavaThreads() throws InterruptedException {
        List<ProcessHandle> javas = new java.util.ArrayList<>();
        java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .forEach(javas::add);
        if (javas.isEmpty()) {
            return;
        }
        for (ProcessHandle java : javas) {
            try {
                new ProcessBuilder("kill", "-QUIT", Long.toString(java.pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                return;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && !Outcome.read(stdout).contains("JNI global refs")) {
            // The dump is written by the JVM's own thread: poll its file, bounded.
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    private void kill() {
        // Children first: a browser's helpers or su's program would outlive a killed parent.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How a program ended.
     *
     * @param exitCode its exit status, -1 when it was killed at the time limit
     * @param timedOut whether it ran past the time limit
     */
    public record Outcome(List<String> command, int exitCode, boolean timedOut, Path stdout, Path stderr) {

        public String out() {
            return read(stdout);
        }

        public String err() {
            return read(stderr);
        }

        /** Fails unless the program ended by itself with {@code expected}, quoting the command and its stderr. */
        public Outcome assertExit(int expected) {
            if (timedOut || exitCode != expected) {
                throw new AssertionError((timedOut ? "timed out" : "exit status " + exitCode) + " (expected: "
                        + expected + ")\n" + describe());
            }
            return this;
        }

        /**
         * The command line and the end of its stderr, for failure messages; for a program killed at its time limit,
         * also the end of its stdout (where a JVM's thread dump is).
         */
        public String describe() {
            String err = err();
            String tail = err.length() > 3000 ? "..." + err.substring(err.length() - 3000) : err;
            String described = "$ " + String.join(" ", command) + "\n--- stderr ---\n" + tail;
            if (timedOut) {
                String out = out();
                described += "\n--- stdout (a JVM's thread dump, when it gave one) ---\n"
                        + (out.length() > 30_000 ? "..." + out.substring(out.length() - 30_000) : out);
            }
            return described;
        }

        private static String read(Path file) {
            try {
                return new String(Files.readAllBytes(file), UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
