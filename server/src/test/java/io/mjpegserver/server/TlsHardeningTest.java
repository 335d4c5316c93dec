package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS held to the same standard as plain HTTP: a snapshot of one frame is the same whole JPEG however often it
 * is asked for (TLS must not move the reader index of the ring's buffer); a handshake is bounded by the request
 * timeout; a client cannot renegotiate.
 */
class TlsHardeningTest {

    /** One frame every five seconds, so many snapshots see the same frame. */
    private static final CaptureConfig SLOW =
            new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 360), 0.2, 80, 4);

    @TempDir
    Path dir;
    private Path cert;
    private Path key;

    @BeforeEach
    void certificate() throws Exception {
        Programs.require("openssl", "openssl");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        ChildProcess.run(dir, "openssl-req", Duration.ofSeconds(30), List.of("openssl", "req", "-x509", "-newkey",
                "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj",
                "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")).assertExit(0);
    }

    private ServerFixture start(ServerConfig config) throws Exception {
        return ServerFixture.start(config.toBuilder().host("127.0.0.1").port(0).tls(new TlsFiles(cert, key)).build(),
                SLOW);
    }

    @Test
    void tenSnapshotsOfOneFrameAreTheSameWholeJpeg() throws Exception {
        Programs.require("curl", "curl");
        try (ServerFixture server = start(ServerConfig.builder().build())) {
            List<Snapshot> snapshots = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Path body = dir.resolve("snap" + i + ".jpg");
                Path head = dir.resolve("head" + i + ".txt");
                ChildProcess.run(dir, "curl" + i, Duration.ofSeconds(20), List.of("curl", "-sS", "--cacert",
                        cert.toString(), "-D", head.toString(), "-o", body.toString(),
                        "https://127.0.0.1:" + server.port() + "/snapshot")).assertExit(0);
                snapshots.add(new Snapshot(sequence(Files.readString(head)), Files.readAllBytes(body)));
            }
            assertSameFrameSameBytes(snapshots);
        }
    }

    /** Plain HTTP, the other way the reader index moved: a partial write to a slow reader with a tiny send buffer. */
    @Test
    void aSlowReadersPartialWriteCutsNoOtherSnapshot() throws Exception {
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).sendBuffer(4096).build();
        try (ServerFixture server = ServerFixture.start(config, SLOW);
                Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            slow.setSoTimeout(10_000);
            List<Snapshot> snapshots = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                // Each slow request leaves a snapshot half written, its socket full, while the fast ones are served.
                slow.getOutputStream().write("GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
                var response = Http.get(server.url("/snapshot"));
                assertEquals(200, response.statusCode());
                snapshots.add(new Snapshot(Long.parseLong(response.headers().firstValue("X-Frame-Sequence").orElseThrow()),
                        response.body()));
            }
            assertSameFrameSameBytes(snapshots);
        }
    }

    @Test
    void aStalledHandshakeIsClosedWithinTheRequestTimeout() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().requestTimeout(Duration.ofMillis(500)).build());
                // Reads bounded well under Netty's own 10 s handshake timeout, with plenty of room for a loaded machine.
                Socket silent = Http.connect(server.port(), Duration.ofSeconds(5))) {
            long started = System.nanoTime();
            InputStream in = silent.getInputStream();
            try {
                while (in.read() >= 0) {
                    // An alert, perhaps; then the end.
                }
            } catch (SocketTimeoutException stillOpen) {
                throw new AssertionError("the handshake was still open after 5 s", stillOpen);
            } catch (IOException reset) {
                // Closed: as good as the end of the stream.
            }
            System.out.printf("tls: a silent client was closed after %d ms (request timeout 500 ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    @Test
    void plainHttpOnTheTlsPortIsToldToUseHttps() throws Exception {
        Programs.require("curl", "curl");
        try (ServerFixture server = start(ServerConfig.builder().build());
                Socket plain = Http.connect(server.port(), Duration.ofSeconds(5))) {
            plain.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
            String answer = new String(plain.getInputStream().readAllBytes(), US_ASCII);
            assertEquals("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 73\r\n"
                    + "Connection: close\r\n\r\n400 Bad Request: this port speaks HTTPS; use https:// instead of http://\n",
                    answer);
            // TLS on the same port goes on as ever.
            ChildProcess.Outcome curl = ChildProcess.run(dir, "curl", Duration.ofSeconds(20), List.of("curl", "-sS",
                    "--cacert", cert.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                    "https://127.0.0.1:" + server.port() + "/snapshot")).assertExit(0);
            assertEquals("200", curl.out().strip());
        }
    }

    @Test
    void aClientCannotRenegotiate() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().build())) {
            Path out = dir.resolve("s_client.out");
            Process client = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
                    "-tls1_2", "-no_ign_eof").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                assertTrue(Http.eventually(Duration.ofSeconds(20), () -> read(out).contains("Verify return code")
                        || !client.isAlive()), "the handshake completes: " + read(out));
                OutputStream stdin = client.getOutputStream();
                stdin.write("R\n".getBytes(US_ASCII));
                stdin.flush();
                assertTrue(Http.eventually(Duration.ofSeconds(20), () -> read(out).contains("RENEGOTIATING")
                        || !client.isAlive()), read(out));
                try {
                    stdin.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
                    stdin.flush();
                } catch (IOException ended) {
                    // s_client already gave up: the renegotiation was refused.
                }
                // Either way the connection ends: refused, with no answer after the attempt.
                assertTrue(client.waitFor(20, TimeUnit.SECONDS) || !Http.eventually(Duration.ofSeconds(1),
                        () -> read(out).contains("200 OK")), read(out));
                String afterAttempt = read(out).substring(read(out).indexOf("RENEGOTIATING"));
                assertFalse(afterAttempt.contains("200 OK"), "answered after a renegotiation:\n" + afterAttempt);
            } finally {
                client.destroyForcibly();
                client.waitFor(5, TimeUnit.SECONDS);
            }
            Programs.require("curl", "curl");
            ChildProcess.run(dir, "curl", Duration.ofSeconds(20), List.of("curl", "-sS", "--cacert", cert.toString(),
                    "https://127.0.0.1:" + server.port() + "/healthz")).assertExit(0);
        }
    }

    /**
     * A stream reader too slow for the source, over TLS, in each protocol: it skips frames, and a skipped client is
     * told it has drained by an empty write through the TLS handler, behind what is pending. Every part it gets is
     * still whole, in order, and decodes.
     */
    @Test
    void aSlowStreamReaderSkipsWholePartsOverTls() throws Exception {
        Programs.require("curl", "curl");
        CaptureConfig fast = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 360), 30, 80, 4);
        ServerConfig config = ServerConfig.builder().sendBuffer(16 * 1024).host("127.0.0.1").port(0)
                .tls(new TlsFiles(cert, key)).build();
        try (ServerFixture server = ServerFixture.start(config, fast)) {
            for (String protocol : List.of("--http1.1", "--http1.0", "--http2")) {
                Path body = dir.resolve("stream" + protocol + ".bin");
                // curl's rate limit makes the slow reader; it stops at its time limit (exit 28).
                ChildProcess.run(dir, "curl" + protocol, Duration.ofSeconds(30), List.of("curl", "-sS", protocol,
                        "--cacert", cert.toString(), "--limit-rate", "150K", "--max-time", "4", "-o", body.toString(),
                        "https://127.0.0.1:" + server.port() + "/stream")).assertExit(28);
                List<Long> sequences = wholeParts(Files.readAllBytes(body), protocol);
                assertTrue(sequences.size() >= 5, protocol + ": " + sequences);
                boolean skipped = false;
                for (int i = 1; i < sequences.size(); i++) {
                    assertTrue(sequences.get(i) > sequences.get(i - 1), protocol + ": in order, no backlog: " + sequences);
                    skipped |= sequences.get(i) > sequences.get(i - 1) + 1;
                }
                assertTrue(skipped, protocol + ": a reader this slow skips frames: " + sequences);
            }
        }
    }

    /** The sequence numbers of the whole parts of a multipart body (its last part may be cut): each one checked. */
    private static List<Long> wholeParts(byte[] body, String protocol) throws IOException {
        String text = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
        String delimiter = "--" + ServerFixture.BOUNDARY + "\r\n";
        assertTrue(text.startsWith(delimiter), protocol + ": starts with the delimiter");
        List<Long> sequences = new ArrayList<>();
        int at = delimiter.length();
        while (true) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                break;
            }
            String head = text.substring(at, headEnd);
            int length = -1;
            long sequence = -1;
            for (String line : head.split("\r\n")) {
                if (line.startsWith("Content-Length: ")) {
                    length = Integer.parseInt(line.substring(16));
                } else if (line.startsWith("X-Frame-Sequence: ")) {
                    sequence = Long.parseLong(line.substring(18));
                }
            }
            assertTrue(length > 0 && sequence > 0, protocol + ": part header " + head);
            int start = headEnd + 4;
            if (start + length + delimiter.length() + 2 > body.length) {
                break; // cut by the time limit
            }
            byte[] jpeg = java.util.Arrays.copyOfRange(body, start, start + length);
            assertEquals(640, ImageIO.read(new java.io.ByteArrayInputStream(jpeg)).getWidth(), protocol + ": decodes");
            assertEquals("\r\n" + delimiter, text.substring(start + length, start + length + 2 + delimiter.length()),
                    protocol + ": the delimiter follows the JPEG");
            sequences.add(sequence);
            at = start + length + 2 + delimiter.length();
        }
        return sequences;
    }

    private record Snapshot(long sequence, byte[] jpeg) {
    }

    /** Every snapshot is a whole JPEG that decodes, and snapshots of one frame are byte-identical. */
    private static void assertSameFrameSameBytes(List<Snapshot> snapshots) throws IOException {
        int largestGroup = 0;
        for (Snapshot s : snapshots) {
            assertTrue(s.jpeg().length > 1000, "a whole JPEG, not " + s.jpeg().length + " bytes");
            assertEquals(0xFFD8, ((s.jpeg()[0] & 0xFF) << 8) | (s.jpeg()[1] & 0xFF), "starts with SOI");
            int n = s.jpeg().length;
            assertEquals(0xFFD9, ((s.jpeg()[n - 2] & 0xFF) << 8) | (s.jpeg()[n - 1] & 0xFF), "ends with EOI");
            assertEquals(640, ImageIO.read(new java.io.ByteArrayInputStream(s.jpeg())).getWidth());
            int same = 0;
            for (Snapshot other : snapshots) {
                if (other.sequence() == s.sequence()) {
                    assertArrayEquals(s.jpeg(), other.jpeg(), "two snapshots of frame " + s.sequence() + " differ");
                    same++;
                }
            }
            largestGroup = Math.max(largestGroup, same);
        }
        assertTrue(largestGroup >= 5, "most snapshots were of one frame (" + largestGroup + ")");
    }

    private static long sequence(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "X-Frame-Sequence:", 0, 17)) {
                return Long.parseLong(line.substring(17).trim());
            }
        }
        throw new AssertionError("no X-Frame-Sequence in " + head);
    }

    private static String read(Path file) {
        try {
            return new File(file.toString()).exists() ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
