package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Programs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user without root meets: the real command in its own JVM, run as {@link Programs#VLC_USER} when the
 * tests run as root (with a copy of the class path that user may read), or as this user otherwise.
 */
class UnprivilegedStartTest {

    @TempDir
    static Path dir;

    private static List<String> java;

    @BeforeAll
    static void unprivilegedJava() throws Exception {
        List<String> prefix = new ArrayList<>();
        String classPath = System.getProperty("java.class.path");
        if (Programs.runningAsRoot()) {
            Programs.requireVlcUser();
            prefix.addAll(List.of(Programs.require("runuser", "util-linux").toString(), "-u", Programs.VLC_USER, "--"));
            classPath = readableCopy(classPath);
        } else {
            int firstUnprivileged = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip());
            Assumptions.assumeTrue(firstUnprivileged > 80, "SKIPPED: this machine lets any user bind port 80"
                    + " (net.ipv4.ip_unprivileged_port_start = " + firstUnprivileged + ")");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        prefix.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("javacpp-cache"), "-cp", classPath, Main.class.getName()));
        java = List.copyOf(prefix);
    }

    /** Root's home is closed to other users: hard links (or copies) of the class path under the test's directory. */
    private static String readableCopy(String classPath) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("classpath"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path source = Path.of(entry);
            Path target = copy.resolve((n++) + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Path to = target.resolve(source.relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(file, to);
                        }
                    }
                }
            } else if (Files.isRegularFile(source)) {
                try {
                    Files.createLink(target, source);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(source, target);
                }
            } else {
                continue;
            }
            entries.add(target.toString());
        }
        try (Stream<Path> files = Files.walk(copy)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static ChildProcess.Outcome run(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of(args));
        return ChildProcess.run(dir, name, Duration.ofSeconds(60), command);
    }

    @Test
    void port80WithoutPrivilegeSaysWhatToDo() throws Exception {
        ChildProcess.Outcome outcome = run("port80", "--test-pattern", "--host", "127.0.0.1", "--port", "80",
                "--size", "320x240", "--log-level", "warn").assertExit(1);
        assertEquals("mjpeg-server: cannot listen on 127.0.0.1 port 80: permission denied (ports below 1024 need"
                + " privileges): choose a --port of 1024 or above, or grant the capability CAP_NET_BIND_SERVICE"
                + " (in a systemd unit: AmbientCapabilities=CAP_NET_BIND_SERVICE)", outcome.err().strip(), outcome.describe());
    }

    @Test
    void anAuthFileTheUserMayNotReadSaysSo() throws Exception {
        Path secret = dir.resolve("auth");
        Files.writeString(secret, "viewer:secret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("-w-------"));
        String user = Programs.runningAsRoot() ? Programs.VLC_USER : System.getProperty("user.name");
        ChildProcess.Outcome outcome = run("auth", "--test-pattern", "--port", "0", "--auth-file", secret.toString())
                .assertExit(1);
        assertEquals("mjpeg-server: --auth-file " + secret + ": permission denied (the server runs as user " + user + ")",
                outcome.err().strip(), outcome.describe());
    }
}
