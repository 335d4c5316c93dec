package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Programs;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every file the server reads at start ({@code --config}, {@code --auth-file}, {@code --tls-cert}) must be a regular
 * file of at most 1 MiB: a 200 MB file, a link to {@code /dev/zero} or a FIFO is refused in one line, at once,
 * rather than filling the heap (an OutOfMemoryError) or waiting forever for a writer. The real command, in a JVM of
 * its own with a small heap, as a user would run it.
 */
class StartupFilesTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String EXPECTED = " (expected: a regular file of at most 1 MiB)";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--config, huge, 2", "--config, zero, 2", "--config, fifo, 2",
        "--auth-file, huge, 1", "--auth-file, zero, 1", "--auth-file, fifo, 1",
        "--tls-cert, huge, 1", "--tls-cert, zero, 1", "--tls-cert, fifo, 1",
    })
    void aFileThatIsNoSmallRegularFileIsRefusedInOneLine(String flag, String kind, int exit) throws Exception {
        Path file = switch (kind) {
            case "huge" -> huge(dir.resolve("huge"));
            case "zero" -> Files.createSymbolicLink(dir.resolve("zero"), Path.of("/dev/zero"));
            default -> fifo(dir.resolve("fifo"));
        };
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), flag, file.toString()));
        switch (flag) {
            case "--config" -> { }
            case "--tls-cert" -> command.addAll(List.of("--tls-key", file.toString(), "--test-pattern", "--size",
                    "320x240", "--host", "127.0.0.1", "--port", "0"));
            default -> command.addAll(List.of("--test-pattern", "--size", "320x240", "--host", "127.0.0.1", "--port", "0"));
        }
        ChildProcess.Outcome outcome = ChildProcess.run(dir, "server", LIMIT, command).assertExit(exit);
        String why = kind.equals("huge") ? " is 209715200 bytes" : " is not a regular file but a device, a FIFO or a socket";
        assertEquals("mjpeg-server: " + flag + " " + file + why + EXPECTED, outcome.err().strip(), outcome.describe());
        assertTrue(outcome.out().isEmpty(), outcome.out());
    }

    /** A 200 MB file that takes no room on disk. */
    private static Path huge(Path path) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(200L * 1024 * 1024);
        }
        return path;
    }

    private static Path fifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder(Programs.require("mkfifo", "coreutils").toString(), path.toString())
                .inheritIO().start();
        assertTrue(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        return path;
    }
}
