package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.config.StartupException;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Auth, TLS, CORS and every limit, each over real sockets, each with its status and its metric. */
class ProtectTest {

    private static final CaptureConfig SMALL =
            new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(320, 240), 30, 80, 4);

    @TempDir
    Path dir;

    private static ServerFixture start(ServerConfig config) throws Exception {
        return ServerFixture.start(config.toBuilder().host("127.0.0.1").port(0).build(), SMALL);
    }

    private static double rejects(ServerFixture server, String reason) throws Exception {
        return ObserveTest.value(Http.getText(server.url("/metrics"), "Authorization", basic("viewer", "s3cret:pass")).body(),
                "mjpeg_connection_rejects_total{reason=\"" + reason + "\"}");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(US_ASCII));
    }

    @Test
    void basicAuthGuardsEverythingButHealthz() throws Exception {
        ServerConfig config = ServerConfig.builder().credentials(Credentials.parse("viewer:s3cret:pass")).build();
        try (ServerFixture server = start(config)) {
            HttpResponse<String> anonymous = Http.getText(server.url("/snapshot"));
            assertEquals(401, anonymous.statusCode());
            assertEquals("Basic realm=\"mjpeg-server\", charset=\"UTF-8\"", anonymous.headers().firstValue("www-authenticate").orElse(""));
            assertEquals(401, Http.get(server.url("/snapshot"), "Authorization", basic("viewer", "wrong")).statusCode());
            assertEquals(401, Http.get(server.url("/stream"), "Authorization", "Basic !!notbase64").statusCode());
            assertEquals(401, Http.get(server.url("/?action=stream"), "Authorization", basic("viewer", "s3cret")).statusCode());
            HttpResponse<byte[]> allowed = Http.get(server.url("/snapshot"), "Authorization", basic("viewer", "s3cret:pass"));
            assertEquals(200, allowed.statusCode());
            assertEquals(0xFF, allowed.body()[0] & 0xFF);
            assertEquals(200, Http.get(server.url("/healthz")).statusCode(), "/healthz stays open for probes");
            assertEquals(4.0, rejects(server, "unauthorized"));
        }
    }

    @Test
    void tlsServesCurlAndFfmpeg() throws Exception {
        Programs.require("openssl", "openssl");
        Programs.require("curl", "curl");
        Programs.require("ffmpeg", "ffmpeg");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ChildProcess.run(dir, "openssl", Duration.ofSeconds(30), List.of("openssl", "req", "-x509", "-newkey", "rsa:2048",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")).assertExit(0);
        ServerConfig config = ServerConfig.builder().tls(new TlsFiles(cert, key)).build();
        try (ServerFixture server = start(config)) {
            String base = "https://127.0.0.1:" + server.port();
            Path snapshot = dir.resolve("snap.jpg");
            ChildProcess.Outcome curl = ChildProcess.run(dir, "curl", Duration.ofSeconds(20), List.of("curl", "-sS",
                    "--cacert", cert.toString(), "-o", snapshot.toString(), "-w", "%{http_code} %{content_type}",
                    base + "/snapshot")).assertExit(0);
            assertEquals("200 image/jpeg", curl.out().strip());
            assertEquals(320, javax.imageio.ImageIO.read(snapshot.toFile()).getWidth());
            ChildProcess.Outcome ffmpeg = ChildProcess.run(dir, "ffmpeg", Duration.ofSeconds(30), List.of("ffmpeg", "-v",
                    "error", "-xerror", "-i", base + "/stream", "-frames:v", "15", "-f", "framecrc", "-")).assertExit(0);
            assertEquals(15, ffmpeg.out().lines().filter(l -> l.startsWith("0,")).count(), ffmpeg.describe());
            // Plain HTTP to the TLS port is told to use https.
            HttpResponse<String> plain = Http.getText(server.url("/snapshot"));
            assertEquals(400, plain.statusCode());
            assertEquals("400 Bad Request: this port speaks HTTPS; use https:// instead of http://\n", plain.body());
        }
    }

    @Test
    void unreadableTlsFilesSayWhatToDo() {
        ServerConfig config = ServerConfig.builder().tls(new TlsFiles(dir.resolve("no.pem"), dir.resolve("no.key"))).build();
        StartupException e = assertThrows(StartupException.class, () -> start(config));
        assertEquals("--tls-cert " + dir.resolve("no.pem") + " does not exist", e.getMessage());
    }

    @Test
    void corsHeadersForTheAllowedOrigin() throws Exception {
        ServerConfig config = ServerConfig.builder().allowOrigin("https://nvr.example").build();
        try (ServerFixture server = start(config)) {
            HttpResponse<byte[]> state = Http.get(server.url("/state"), "Origin", "https://nvr.example");
            assertEquals("https://nvr.example", state.headers().firstValue("access-control-allow-origin").orElse(""));
            try (StreamClient stream = StreamClient.open(server.port(), "/stream", "1.1")) {
                assertEquals("https://nvr.example", stream.reader().headers().get("access-control-allow-origin"));
            }
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(("OPTIONS /state HTTP/1.1\r\nHost: x\r\nOrigin: https://nvr.example\r\n"
                        + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\r\n").getBytes(US_ASCII));
                String preflight = head(socket.getInputStream());
                assertTrue(preflight.startsWith("HTTP/1.1 200 OK"), preflight);
                assertTrue(preflight.matches("(?is).*\r\naccess-control-allow-methods: (GET,HEAD|HEAD,GET)\r\n.*"), preflight);
                assertTrue(preflight.toLowerCase().contains("access-control-allow-origin: https://nvr.example"), preflight);
            }
        }
    }

    @Test
    void maxClientsAnd503WithRetryAfter() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().maxClients(2).build());
                StreamClient first = StreamClient.open(server.port(), "/stream", "1.1");
                StreamClient second = StreamClient.open(server.port(), "/stream", "1.1")) {
            first.next();
            second.next();
            HttpResponse<String> third = Http.getText(server.url("/stream"));
            assertEquals(503, third.statusCode());
            assertEquals("5", third.headers().firstValue("retry-after").orElse(""));
            assertTrue(third.body().contains("maximum number of clients"), third.body());
            assertEquals(1.0, rejects(server, "max_clients"));
            assertEquals(200, Http.get(server.url("/snapshot")).statusCode(), "snapshots are not streams");
            first.close();
            assertTrue(Http.eventually(Duration.ofSeconds(5), () -> server.server().streamClients().size() == 1));
            try (StreamClient again = StreamClient.open(server.port(), "/stream", "1.1")) {
                again.next();
            }
        }
    }

    @Test
    void perAddressCap() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().maxClientsPerAddress(1).build());
                StreamClient first = StreamClient.open(server.port(), "/stream", "1.1")) {
            first.next();
            HttpResponse<String> second = Http.getText(server.url("/stream"));
            assertEquals(503, second.statusCode());
            assertTrue(second.body().contains("too many streams from your address"), second.body());
            assertEquals(1.0, rejects(server, "max_per_address"));
        }
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().build());
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /stream HTTP/1.1\r\nCookie: " + "x".repeat(9000) + "\r\n\r\n").getBytes(US_ASCII));
            assertTrue(head(socket.getInputStream()).startsWith("HTTP/1.1 431 Request Header Fields Too Large"));
            assertEquals(1.0, rejects(server, "headers_too_large"));
        }
    }

    @Test
    void aRequestThatNeverCompletesIsClosedWith408() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().requestTimeout(Duration.ofMillis(300)).build());
                Socket slowloris = Http.connect(server.port(), Duration.ofSeconds(10))) {
            slowloris.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ".getBytes(US_ASCII));
            InputStream in = slowloris.getInputStream();
            assertTrue(head(in).startsWith("HTTP/1.1 408 Request Timeout"));
            assertEquals(-1, in.readAllBytes().length == 0 ? -1 : in.read(), "closed after the 408");
            assertEquals(1.0, rejects(server, "request_timeout"));
        }
    }

    @Test
    void aStreamClientUnwritablePastItsTimeoutIsClosed() throws Exception {
        CaptureConfig big = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1280, 720), 30, 90, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                .clientTimeout(Duration.ofMillis(500)).sendBuffer(64 * 1024).build();
        try (ServerFixture server = ServerFixture.start(config, big);
                Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            stalled.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
            assertTrue(Http.eventually(Duration.ofSeconds(5), () -> server.server().streamClients().size() == 1));
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> server.server().streamClients().isEmpty()),
                    "the stalled client is closed");
            assertEquals(1.0, rejects(server, "client_timeout"));
        }
    }

    /** Reads a response head (up to the blank line). */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
