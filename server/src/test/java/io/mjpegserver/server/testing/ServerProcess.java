package io.mjpegserver.server.testing;

import io.mjpegserver.server.cli.Main;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real command ({@link Main}) in a JVM of its own, on 127.0.0.1 and a port that was free a moment ago,
 * for tests that need the process itself: its memory, its log, its exit. {@link #close()} kills it.
 */
public final class ServerProcess implements AutoCloseable {

    private final ChildProcess child;
    private final int port;

    private ServerProcess(ChildProcess child, int port) {
        this.child = child;
        this.port = port;
    }

    /** A port nothing listens on now (another program may take it before we do; unlikely on a test box). */
    public static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /**
     * Starts {@code java [jvmOptions] -cp CLASSPATH Main --host 127.0.0.1 --port P [arguments]} in {@code dir}
     * (its output in {@code dir/server.out} and {@code dir/server.err}); returns once {@code readyPath} answers
     * 200, within 30 s.
     */
    public static ServerProcess start(Path dir, List<String> jvmOptions, String readyPath, String... arguments)
            throws IOException, InterruptedException {
        return start(dir, Map.of(), jvmOptions, readyPath, arguments);
    }

    /** As {@link #start(Path, List, String, String...)}, with {@code environment} added (an {@code LD_PRELOAD}...). */
    public static ServerProcess start(Path dir, Map<String, String> environment, List<String> jvmOptions,
            String readyPath, String... arguments) throws IOException, InterruptedException {
        return start(dir, environment, jvmOptions, command(), readyPath, arguments);
    }

    /**
     * The command {@link #start(Path, Map, List, String, String...)} runs, to run it to its end instead (a start
     * that must fail): {@code java [jvmOptions] -cp CLASSPATH Main --host 127.0.0.1 --port P [arguments]}.
     */
    public static List<String> command(List<String> jvmOptions, int port, String... arguments) {
        return command(jvmOptions, command(), port, arguments);
    }

    private static List<String> command() {
        return List.of("-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    private static List<String> command(List<String> jvmOptions, List<String> program, int port, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(program);
        command.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(port)));
        command.addAll(List.of(arguments));
        return command;
    }

    /** As {@link #start(Path, List, String, String...)}, but {@code java [jvmOptions] -jar JAR ...}: the jar users run. */
    public static ServerProcess startJar(Path dir, Path jar, List<String> jvmOptions, String readyPath, String... arguments)
            throws IOException, InterruptedException {
        return start(dir, Map.of(), jvmOptions, List.of("-jar", jar.toString()), readyPath, arguments);
    }

    private static ServerProcess start(Path dir, Map<String, String> environment, List<String> jvmOptions,
            List<String> program, String readyPath, String... arguments) throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = command(jvmOptions, program, port, arguments);
        ServerProcess server = new ServerProcess(ChildProcess.start(dir, "server", command, environment), port);
        if (!Http.eventually(Duration.ofSeconds(30), () -> server.answers(readyPath) || !server.child.isAlive())
                || !server.child.isAlive()) {
            server.close();
            throw new AssertionError("the server did not start: see " + dir.resolve("server.err"));
        }
        return server;
    }

    /** Whether {@code path} answers 200 now. */
    public boolean answers(String path) {
        try {
            return Http.get(url(path)).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public ChildProcess process() {
        return child;
    }

    @Override
    public void close() {
        child.close();
    }
}
