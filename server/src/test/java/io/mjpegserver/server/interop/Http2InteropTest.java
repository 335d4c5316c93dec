package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with the real clients: curl with prior knowledge ({@code h2c}), with the HTTP/1.1 {@code Upgrade}, and
 * over TLS through ALPN (and its HTTP/1.1 fallback); every endpoint answering over HTTP/2; nghttp reading twenty
 * streams on one connection. Each stream body is parsed strictly as the multipart stream and its JPEGs decoded.
 */
class Http2InteropTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String STREAM_SECONDS = "2";

    @TempDir
    static Path dir;
    private static Path cert;
    private static ServerFixture plain;
    private static ServerFixture tls;

    @BeforeAll
    static void servers() throws Exception {
        Programs.require("openssl", "openssl");
        cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ChildProcess.run(dir, "openssl-req", LIMIT, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost")).assertExit(0);
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), 30, 80, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).build();
        plain = ServerFixture.start(config, capture);
        tls = ServerFixture.start(config.toBuilder().tls(new TlsFiles(cert, key)).build(), capture);
    }

    @AfterAll
    static void stop() {
        if (plain != null) {
            plain.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    private static String https(String path) {
        return "https://127.0.0.1:" + tls.port() + path;
    }

    @Test
    void curlWithPriorKnowledgeReadsTheStream() throws Exception {
        Path out = dir.resolve("prior.bin");
        ChildProcess.Outcome run = curl("prior", "--http2-prior-knowledge", "-i", "--max-time", STREAM_SECONDS, "-o",
                out.toString(), plain.url("/stream")).assertExit(28);
        byte[] bytes = Files.readAllBytes(out);
        assertTrue(new String(bytes, ISO_8859_1).startsWith("HTTP/2 200"), () -> head(bytes, 0) + run.describe());
        assertStreamDecodes(bytes, 0);
    }

    @Test
    void curlUpgradesFromHttp11() throws Exception {
        Path out = dir.resolve("upgrade.bin");
        ChildProcess.Outcome run = curl("upgrade", "--http2", "-i", "--max-time", STREAM_SECONDS, "-o", out.toString(),
                plain.url("/stream")).assertExit(28);
        byte[] bytes = Files.readAllBytes(out);
        String text = new String(bytes, ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), () -> head(bytes, 0) + run.describe());
        int h2 = text.indexOf("HTTP/2 200");
        assertTrue(h2 > 0, () -> "no HTTP/2 response after the 101:\n" + head(bytes, 0));
        assertStreamDecodes(bytes, h2);
    }

    @Test
    void tlsNegotiatesH2AndFallsBackToHttp11() throws Exception {
        Path h2 = dir.resolve("tls-h2.bin");
        curl("tls-h2", "--http2", "--cacert", cert.toString(), "-i", "--max-time", STREAM_SECONDS, "-o", h2.toString(),
                https("/stream")).assertExit(28);
        byte[] bytes = Files.readAllBytes(h2);
        assertTrue(new String(bytes, ISO_8859_1).startsWith("HTTP/2 200"), () -> head(bytes, 0));
        assertStreamDecodes(bytes, 0);

        // A client that offers only http/1.1 in ALPN gets today's HTTP/1.1 stream: chunked, one chunk per part.
        Path h1 = dir.resolve("tls-h1.bin");
        curl("tls-h1", "--http1.1", "--cacert", cert.toString(), "-i", "--raw", "--max-time", STREAM_SECONDS, "-o",
                h1.toString(), https("/stream")).assertExit(28);
        byte[] http11 = Files.readAllBytes(h1);
        assertTrue(new String(http11, ISO_8859_1).startsWith("HTTP/1.1 200 OK\r\n"), () -> head(http11, 0));
        MultipartStreamReader reader = new MultipartStreamReader(new ByteArrayInputStream(http11));
        assertTrue(reader.chunked(), "chunked over HTTP/1.1");
        assertNotNull(ImageIO.read(new ByteArrayInputStream(reader.next().body())));
    }

    /** Over HTTP/2, every endpoint answers as over HTTP/1.1, errors included, each request its own stream. */
    @Test
    void everyEndpointAnswersOverHttp2() throws Exception {
        Path snapshot = dir.resolve("snapshot.jpg");
        Path headers = dir.resolve("snapshot.head");
        curl("snapshot", "--http2-prior-knowledge", "-D", headers.toString(), "-o", snapshot.toString(),
                plain.url("/snapshot")).assertExit(0);
        String head = Files.readString(headers, ISO_8859_1);
        assertTrue(head.startsWith("HTTP/2 200"), head);
        assertTrue(head.contains("content-type: image/jpeg"), head);
        assertTrue(head.matches("(?s).*x-frame-sequence: [0-9]+.*"), head);
        assertTrue(head.contains("x-source-online: true"), head);
        BufferedImage image = ImageIO.read(snapshot.toFile());
        assertNotNull(image, "the snapshot over HTTP/2 is not a JPEG");
        assertEquals(WIDTH, image.getWidth());
        TestPatternPixels.assertBars(image);

        String state = curl("state", "--http2-prior-knowledge", plain.url("/state")).assertExit(0).out();
        JsonNode json = new ObjectMapper().readTree(state);
        assertTrue(json.has("clients"), state);

        // The rest over TLS, on one connection: curl reuses it (num_connects 0 after the first). (curl 7.88 does not
        // reuse a cleartext prior-knowledge connection with --next: it fails the second transfer at once.)
        List<String> command = new ArrayList<>();
        String[][] requests = {{"/", "%{content_type} "}, {"/metrics", "%{content_type} "}, {"/healthz", ""},
                {"/nowhere", ""}, {"/stream?fps=fast", ""}, {"/snapshot", "", "-X", "POST"}, {"/stream", "%{content_type} ", "-I"}};
        for (String[] request : requests) {
            if (!command.isEmpty()) {
                command.add("--next");
            }
            command.addAll(List.of("--http2", "--cacert", cert.toString(), "-o", "/dev/null", "-w",
                    "%{http_version} %{http_code} " + request[1] + "%{num_connects}\\n"));
            command.addAll(List.of(request).subList(2, request.length));
            command.add(https(request[0]));
        }
        ChildProcess.Outcome all = curl("all", command.toArray(String[]::new)).assertExit(0);
        String[] lines = all.out().lines().filter(l -> l.startsWith("2 ")).toArray(String[]::new);
        assertEquals(List.of("2 200 text/html; charset=utf-8 1", "2 200 text/plain; version=0.0.4; charset=utf-8 0",
                "2 200 0", "2 404 0", "2 400 0", "2 405 0", "2 200 multipart/x-mixed-replace;boundary=" + ServerFixture.BOUNDARY
                        + " 0"), List.of(lines), all.describe());
    }

    /** Credentials are asked per stream: 401 with the challenge without them, the stream with them. */
    @Test
    void credentialsAreCheckedPerStream() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), 10, 70, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                .credentials(Credentials.parse("viewer:s3cret")).build();
        try (ServerFixture server = ServerFixture.start(config, capture)) {
            Path headers = dir.resolve("denied.head");
            curl("denied", "--http2-prior-knowledge", "-D", headers.toString(), "-o", "/dev/null",
                    server.url("/snapshot")).assertExit(0);
            String head = Files.readString(headers, ISO_8859_1);
            assertTrue(head.startsWith("HTTP/2 401"), head);
            assertTrue(head.contains("www-authenticate: Basic realm="), head);
            Path out = dir.resolve("allowed.bin");
            curl("allowed", "--http2-prior-knowledge", "-u", "viewer:s3cret", "-i", "--max-time", STREAM_SECONDS, "-o",
                    out.toString(), server.url("/stream")).assertExit(28);
            assertStreamDecodes(Files.readAllBytes(out), 0);
        }
    }

    /** nghttp opens twenty streams on one connection: the server streams to every one of them at once. */
    @Test
    void nghttpReadsTwentyStreamsOnOneConnection() throws Exception {
        Path nghttp = Programs.require("nghttp", "nghttp2-client");
        List<String> command = new ArrayList<>(List.of(nghttp.toString(), "-n", "-W", "24", "-w", "20"));
        for (int i = 0; i < 20; i++) {
            // Distinct URLs: nghttp asks once for a URL given twice.
            command.add(plain.url((i % 2 == 0 ? "/stream" : "/stream.mjpg") + "?n=" + i));
        }
        try (ChildProcess run = ChildProcess.start(dir, "nghttp", command)) {
            StreamClients.await(plain.server(), sessions -> sessions.size() == 20, "20 stream sessions", LIMIT);
            List<SessionStats> first = plain.server().streamClients();
            assertEquals(1, first.stream().map(SessionStats::remote).distinct().count(), () -> "not one connection: " + first);
            assertTrue(first.stream().allMatch(s -> s.protocol().equals("HTTP/2")), first::toString);
            // Every stream advances: each gets at least ten more frames (of 30 a second) while the others run.
            long floor = first.stream().mapToLong(SessionStats::framesSent).max().orElseThrow() + 10;
            StreamClients.await(plain.server(), sessions -> sessions.size() == 20
                    && sessions.stream().allMatch(s -> s.framesSent() >= floor), "every one of 20 streams at "
                    + floor + " frames", LIMIT);
            assertTrue(run.isAlive(), "nghttp ended early");
        }
        StreamClients.awaitCount(plain.server(), 0, LIMIT);
    }

    private static ChildProcess.Outcome curl(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Programs.require("curl", "curl").toString(), "-sS"));
        command.addAll(List.of(args));
        return ChildProcess.run(dir, "curl-" + name, LIMIT, command);
    }

    private static String head(byte[] bytes, int from) {
        String text = new String(bytes, ISO_8859_1);
        int end = text.indexOf("\r\n\r\n", from);
        return end < 0 ? "no response head in " + bytes.length + " bytes" : text.substring(from, end + 4);
    }

    /**
     * Parses the curl {@code -i} output from {@code from} (an {@code HTTP/2 200} head, which curl writes with the
     * HTTP/2 fields as lower-case lines) as the multipart stream, and decodes its first parts.
     */
    private static void assertStreamDecodes(byte[] bytes, int from) throws IOException {
        MultipartStreamReader reader = new MultipartStreamReader(new ByteArrayInputStream(bytes, from, bytes.length - from));
        assertTrue(reader.statusLine().startsWith("HTTP/2 200"), reader.statusLine());
        assertFalse(reader.chunked(), "no chunking over HTTP/2");
        assertFalse(reader.headers().containsKey("transfer-encoding"), reader.headers().toString());
        assertFalse(reader.headers().containsKey("connection"), reader.headers().toString());
        assertEquals("no-store, no-cache, must-revalidate, max-age=0", reader.headers().get("cache-control"));
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MultipartStreamReader.Part part = reader.next();
            TestPatternPixels.assertFrame(part.body(), WIDTH, HEIGHT, "part " + i);
            assertEquals("true", part.headers().get("x-source-online"), "the part says the source is online");
            sequences.add(part.sequence());
        }
        assertTrue(sequences.stream().sorted().collect(Collectors.toList()).equals(sequences), sequences::toString);
    }
}
