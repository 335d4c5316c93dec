package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.StartupException;
import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.Programs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.channels.ServerSocketChannel;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --unix}: the real server on a unix socket, read by Debian's curl ({@code --unix-socket}): a snapshot, the
 * stream, the client in {@code /state} without an IP address, the socket file's mode, a stale socket file replaced and
 * the file removed at close; a live socket and a file that is no socket are left alone.
 */
class UnixSocketTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private Path curl;
    private Path socket;

    @BeforeEach
    void setUp() {
        curl = Programs.require("curl", "curl");
        socket = dir.resolve("mjpeg.sock");
    }

    private static MjpegServer start(ListenSocket listen) throws StartupException {
        FeedConfig feed = new FeedConfig(FeedConfig.DEFAULT_NAME, new CaptureConfig(new SourceSpec.TestPattern(),
                new VideoSize(WIDTH, HEIGHT), 30, 80, 4), CaptureOptions.DEFAULTS);
        return MjpegServer.start(ServerConfig.builder().socket(listen).feeds(List.of(feed)).build());
    }

    /** curl {@code args} over the socket; its output file's bytes. */
    private ChildProcess.Outcome curl(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(curl.toString(), "-sS", "--unix-socket", socket.toString(),
                "-o", dir.resolve(name).toString()));
        command.addAll(List.of(args));
        return ChildProcess.run(dir, "curl-" + name, LIMIT, command);
    }

    @Test
    void curlReadsSnapshotAndStreamOverTheSocketWhoseModeIsAsAskedAndWhichGoesAtClose() throws Exception {
        try (MjpegServer server = start(new ListenSocket.Unix(socket, PosixFilePermissions.fromString("rw-rw----")))) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals(0, server.port(), "no TCP port");
            assertTrue(server.state().server().host().equals("unix:" + socket), server.state().server().host());

            // The first frame may not be in yet: 503 until it is.
            assertTrue(Http.eventually(Duration.ofSeconds(10), () -> snapshot().isPresent()), "a snapshot over the socket");
            BufferedImage image = Frames.decode(snapshot().orElseThrow());
            assertEquals(WIDTH, image.getWidth());
            assertEquals(HEIGHT, image.getHeight());

            try (ChildProcess stream = ChildProcess.start(dir, "curl-stream", List.of(curl.toString(), "-sS", "-N", "-i", "--raw",
                    "--unix-socket", socket.toString(), "--max-time", "2", "-o", dir.resolve("stream.bin").toString(),
                    "http://localhost/stream"))) {
                assertTrue(Http.eventually(Duration.ofSeconds(10), () -> server.streamClients().size() == 1), "curl streams");
                SessionStats client = server.streamClients().get(0);
                // A unix socket's client has no IP address: the log and /state name the socket.
                assertEquals("unix:" + socket, client.remote());
                assertEquals(28, stream.await(LIMIT).exitCode(), "curl's status after --max-time");
            }
            MultipartStreamReader reader = new MultipartStreamReader(new ByteArrayInputStream(
                    Files.readAllBytes(dir.resolve("stream.bin"))));
            assertEquals("HTTP/1.1 200 OK", reader.statusLine());
            for (int i = 0; i < 3; i++) {
                assertEquals(WIDTH, Frames.decode(reader.next().body()).getWidth());
            }
        }
        assertFalse(Files.exists(socket), "the socket file is removed at close");
    }

    /** The newest frame, or empty while the server answers 503 (no frame yet). */
    private java.util.Optional<byte[]> snapshot() {
        try {
            ChildProcess.Outcome run = curl("snapshot.jpg", "-w", "%{http_code}", "http://localhost/snapshot");
            run.assertExit(0);
            return run.out().equals("200") ? java.util.Optional.of(Files.readAllBytes(dir.resolve("snapshot.jpg")))
                    : java.util.Optional.empty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        // A server that died leaves its socket file: nothing listens on it any more.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "the stale socket file");
        try (MjpegServer server = start(new ListenSocket.Unix(socket, null))) {
            assertTrue(Http.eventually(Duration.ofSeconds(10), () -> snapshot().isPresent()), "a snapshot over the socket");
        }
    }

    @Test
    void aSocketSomeoneListensOnIsNotTakenOver() throws Exception {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));
            StartupException refused = assertThrows(StartupException.class, () -> start(new ListenSocket.Unix(socket, null)).close());
            assertEquals("unix socket " + socket + " is in use: another server listens on it (stop it, or choose another"
                    + " --unix path)", refused.getMessage());
            assertTrue(Files.exists(socket));
        }
    }

    @Test
    void aFileThatIsNoSocketIsLeftAlone() throws Exception {
        Files.writeString(socket, "precious");
        StartupException refused = assertThrows(StartupException.class, () -> start(new ListenSocket.Unix(socket, null)).close());
        assertEquals("cannot listen on unix socket " + socket + ": a file is there, and it is not a socket: it is left"
                + " alone (expected: a path where the socket can be made)", refused.getMessage());
        assertEquals("precious", Files.readString(socket));
    }
}
