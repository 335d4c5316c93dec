package io.mjpegserver.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;

/**
 * A real RTSP server on 127.0.0.1 for tests: GStreamer's gst-rtsp-server, run by {@code rtsp/rtsp-server.py}
 * with Debian's Python (the GObject bindings are Debian's, not a pyenv's). It serves {@code /mjpeg} and
 * {@code /h264} (a moving ball, {@link #WIDTH}x{@link #HEIGHT} at {@link #FPS}) on {@link #port()}, and
 * {@code /mjpeg} behind Basic auth ({@link #USER}:{@link #PASSWORD}) on {@link #securePort()}.
 *
 * <p>Output goes to files in the test's directory (a chatty child never blocks on a pipe). {@link #close()} kills
 * it and its children; should the test JVM die first, the server quits by itself after {@link #MAX_LIFE}.
 *
 * <p>When Python's GStreamer bindings or an element are missing, the test fails in CI and is skipped elsewhere,
 * naming the Debian packages (as the server module's {@code Programs} does).
 */
public final class RtspTestServer implements AutoCloseable {

    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;
    public static final int FPS = 15;
    public static final String USER = "viewer";
    public static final String PASSWORD = "secret";
    public static final String PACKAGES = "gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base"
            + " gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly";
    static final Duration MAX_LIFE = Duration.ofMinutes(5);
    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    /** Debian's interpreter, whatever python3 comes first on the PATH. */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private final Process process;
    private final Path stderr;
    private final int port;
    private final int securePort;

    private RtspTestServer(Process process, Path stderr, int port, int securePort) {
        this.process = process;
        this.stderr = stderr;
        this.port = port;
        this.securePort = securePort;
    }

    /** Starts a server on any free ports; waits (bounded) until it listens. */
    public static RtspTestServer start(Path dir) throws IOException {
        return start(dir, 0, 0);
    }

    /** Starts a server on {@code port} and {@code securePort} (0: any free one); waits (bounded) until it listens. */
    public static RtspTestServer start(Path dir, int port, int securePort) throws IOException {
        Path script = script(dir);
        requireGStreamer(dir, script);
        String name = "rtsp-server-" + System.nanoTime();
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(List.of(PYTHON.toString(), script.toString(), "--port", Integer.toString(port),
                "--secure-port", Integer.toString(securePort), "--width", Integer.toString(WIDTH),
                "--height", Integer.toString(HEIGHT), "--fps", Integer.toString(FPS), "--user", USER,
                "--password", PASSWORD, "--max-seconds", Long.toString(MAX_LIFE.toSeconds())))
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        for (;;) {
            String ready = read(out);
            if (ready.startsWith("READY ") && ready.endsWith("\n")) {
                String[] ports = ready.strip().split(" ");
                return new RtspTestServer(process, err, Integer.parseInt(ports[1]), Integer.parseInt(ports[2]));
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                kill(process);
                fail("the RTSP test server did not start within " + START_LIMIT.toSeconds() + " s\n" + read(err));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    public int port() {
        return port;
    }

    public int securePort() {
        return securePort;
    }

    /** {@code rtsp://127.0.0.1:PORT/path} on the open port; {@code path} starts with a slash. */
    public String url(String path) {
        return "rtsp://127.0.0.1:" + port + path;
    }

    /** {@code rtsp://USER:PASSWORD@127.0.0.1:SECURE_PORT/mjpeg}, with the given credentials. */
    public String secureUrl(String user, String password) {
        return "rtsp://" + user + ":" + password + "@127.0.0.1:" + securePort + "/mjpeg";
    }

    /** Freezes the server (SIGSTOP): its sockets stay open and its kernel still acknowledges, but it sends nothing. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            fail("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** The server's log, for failure messages. */
    public String log() {
        return read(stderr);
    }

    /** Kills the server (a frozen one too) and waits, bounded, until it is gone: its ports may be bound again. */
    @Override
    public void close() {
        kill(process);
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path script(Path dir) throws IOException {
        Path script = dir.resolve("rtsp-server.py");
        if (!Files.exists(script)) {
            try (InputStream in = RtspTestServer.class.getResourceAsStream("/rtsp/rtsp-server.py")) {
                if (in == null) {
                    throw new IOException("test resource /rtsp/rtsp-server.py is missing");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return script;
    }

    /** Runs the script's own check: Debian's Python, its GObject bindings, the RTSP server library, the elements. */
    private static void requireGStreamer(Path dir, Path script) throws IOException {
        String problem = null;
        if (!Files.isExecutable(PYTHON)) {
            problem = PYTHON + " is not installed";
        } else {
            Path err = dir.resolve("rtsp-check.err");
            Process check = new ProcessBuilder(PYTHON.toString(), script.toString(), "--check")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile())
                    .start();
            try {
                if (!check.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    kill(check);
                    fail("the RTSP test server's check did not end within " + START_LIMIT.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (check.exitValue() != 0) {
                String[] lines = read(err).strip().split("\n");
                problem = "GStreamer's RTSP server cannot run (" + lines[lines.length - 1] + ")";
            }
        }
        if (problem == null) {
            return;
        }
        String fix = "apt-get install -y " + PACKAGES;
        if (inCi()) {
            fail(problem + ": CI must run every interop test; fix the CI image: " + fix);
        }
        Assumptions.abort("SKIPPED, " + problem + ": to run this test, " + fix);
    }

    private static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
