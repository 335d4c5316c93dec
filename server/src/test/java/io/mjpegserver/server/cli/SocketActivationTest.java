package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket activation, the way systemd does it: {@code systemd-socket-activate} (systemd's own tool) makes the listening
 * socket, waits for the first client, and execs the real command with the socket as fd 3, {@code LISTEN_FDS=1} and
 * {@code LISTEN_PID}. The server serves on that socket (TCP or unix) whatever {@code --port} says, leaves systemd's
 * socket file alone, and refuses what it cannot use in one line with status 2.
 */
class SocketActivationTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Path activate;

    @BeforeEach
    void requireTools() {
        activate = Programs.require("systemd-socket-activate", "systemd");
    }

    /** {@code systemd-socket-activate -l LISTEN java ... Main ARGS}. */
    private ChildProcess activated(String listen, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(activate.toString(), "-l", listen));
        command.addAll(java());
        command.addAll(List.of("--test-pattern", "--size", "320x240", "--fps", "15"));
        command.addAll(List.of(args));
        return ChildProcess.start(dir, "server", command);
    }

    private static List<String> java() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.leakDetectionLevel=paranoid", "-cp", System.getProperty("java.class.path"),
                LeakCheckedMain.class.getName());
    }

    @Test
    void aTcpSocketFromSystemdIsServedInsteadOfThePortAsked() throws Exception {
        int port = ServerProcess.freePort();
        int asked = ServerProcess.freePort();
        try (ChildProcess server = activated("127.0.0.1:" + port, "--host", "127.0.0.1", "--port", String.valueOf(asked))) {
            // The first connection makes systemd-socket-activate start the server; it answers 503 until its first frame.
            String url = "http://127.0.0.1:" + port + "/snapshot";
            assertTrue(eventually(() -> Http.status(url) == 200), "a snapshot on the socket systemd made");
            assertEquals(320, Frames.decode(Http.get(url).body()).getWidth());
            assertThrows(ConnectException.class, () -> new Socket().connect(new InetSocketAddress("127.0.0.1", asked), 2000),
                    "nothing listens on --port: the socket systemd passed is the one served");
            server.terminate();
            assertEquals(0, server.await(LIMIT).exitCode(), "SIGTERM ends it cleanly");
        }
    }

    @Test
    void aUnixSocketFromSystemdIsServedAndItsFileLeftToSystemd() throws Exception {
        Path curl = Programs.require("curl", "curl");
        Path socket = dir.resolve("activated.sock");
        try (ChildProcess server = activated(socket.toString(), "--host", "127.0.0.1", "--port", "0")) {
            List<String> snapshot = List.of(curl.toString(), "-sS", "--max-time", "10", "--unix-socket", socket.toString(),
                    "-o", dir.resolve("snapshot.jpg").toString(), "-w", "%{http_code}", "http://localhost/snapshot");
            assertTrue(eventually(() -> run(snapshot).out().equals("200")), "a snapshot on the unix socket systemd made");
            assertEquals(320, Frames.decode(Files.readAllBytes(dir.resolve("snapshot.jpg"))).getWidth());
            server.terminate();
            assertEquals(0, server.await(LIMIT).exitCode(), "SIGTERM ends it cleanly");
        }
        // systemd made the file and keeps it for the next start: the server must not remove it.
        assertTrue(Files.exists(socket), "the socket file systemd made is still there");
    }

    @Test
    void aDescriptorThatIsNoSocketIsRefusedInOneLine() throws Exception {
        // As systemd passes fds, but fd 3 is /dev/null: LISTEN_PID is the shell's pid, which exec gives to java.
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$@\" 3</dev/null",
                "sh"));
        command.addAll(java());
        command.add("--test-pattern");
        ChildProcess.Outcome outcome = ChildProcess.run(dir, "refused", LIMIT, command).assertExit(2);
        String err = outcome.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("mjpeg-server: LISTEN_FDS=1 (fd 3) is not a socket ("), err);
        assertTrue(err.endsWith("; expected: a listening socket from a .socket unit with ListenStream=)"), err);
    }

    @Test
    void moreThanOneSocketIsRefusedAndAnotherProcesssVariablesIgnored() throws Exception {
        // listenSocket() alone, not the command: were the variables ignored by mistake, the command would serve for ever.
        String pid = Long.toString(ProcessHandle.current().pid());
        ServeCommand two = new ServeCommand(Map.of("LISTEN_PID", pid, "LISTEN_FDS", "2"));
        ServeCommand.commandLine(two).parseArgs("--test-pattern");
        ConfigException refused = assertThrows(ConfigException.class, two::listenSocket);
        assertEquals("LISTEN_FDS=2: systemd passed 2 sockets (expected: exactly one, a .socket unit with one ListenStream=)",
                refused.getMessage());

        // Variables meant for our parent: not ours to take.
        ServeCommand theirs = new ServeCommand(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1"));
        ServeCommand.commandLine(theirs).parseArgs("--test-pattern");
        assertEquals(ListenSocket.TCP, theirs.listenSocket());
    }

    @Test
    void aUnixSocketRefusesAPerAddressLimitAndAModeNeedsASocket() {
        ServeCommandTest.Run perAddress = ServeCommandTest.run("--test-pattern", "--unix", dir.resolve("s.sock").toString(),
                "--max-clients-per-address", "2");
        assertEquals("mjpeg-server: max-clients-per-address: 2 cannot apply on a unix socket, whose clients have no address"
                + " (expected: 0, and the limit set in the proxy in front, such as nginx's limit_conn)", perAddress.errLine());
        assertEquals(2, perAddress.exit());
        String tooLong = "/tmp/" + "s".repeat(100) + ".sock";
        ServeCommandTest.Run length = ServeCommandTest.run("--test-pattern", "--unix", tooLong);
        assertEquals("mjpeg-server: unix: " + tooLong + " is 110 bytes long (expected: at most 107, the most a unix socket's"
                + " path may be, such as /run/mjpeg-server/http.sock)", length.errLine());
        assertEquals(2, length.exit());
        ServeCommandTest.Run mode = ServeCommandTest.run("--test-pattern", "--unix-mode", "660");
        assertEquals("mjpeg-server: unix-mode: the permissions of a socket file, but there is none (expected: with --unix"
                + " PATH, or unix: in the config file)", mode.errLine());
        assertEquals(2, mode.exit());
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        return Http.eventually(LIMIT, condition);
    }

    private ChildProcess.Outcome run(List<String> command) {
        try {
            return ChildProcess.run(dir, "curl", LIMIT, command);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
