package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relayed camera's user, password and token (in its URL) stay out of every answer and every log line: with auth
 * on, a health probe without credentials learns whether the server is healthy and how many feeds are down, never
 * their names or sources; with credentials, the details name the source as {@code http://host:port/path?token=***}.
 */
class HiddenCredentialsTest {

    private static final List<String> SECRETS = List.of("admin", "hunter2", "SECRETTOKEN");
    private static final String CREDENTIALS = basic("viewer", "s3cret");

    @TempDir
    Path dir;

    @Test
    void healthWithoutCredentialsNamesNoFeedUserOrToken() throws Exception {
        try (Upstream upstream = Upstream.start()) {
            FeedConfig front = new FeedConfig("front", new CaptureConfig(new SourceSpec.TestPattern(),
                    new VideoSize(320, 240), 10, 80, 4), CaptureOptions.DEFAULTS);
            FeedConfig back = new FeedConfig("back", new CaptureConfig(new SourceSpec.Url(URI.create(upstream.url())),
                    new VideoSize(320, 240), 0, 80, 4), CaptureOptions.DEFAULTS);
            ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                    .credentials(Credentials.parse("viewer:s3cret")).build();
            try (ServerFixture server = ServerFixture.start(config, List.of(front, back))) {
                assertTrue(Http.eventually(Duration.ofSeconds(20), () -> upstream.answered() >= 1
                        && detailed(server, "/cam/back/healthz").contains(" is down: ")), "the relayed feed is down");

                String shown = "http://127.0.0.1:" + upstream.port() + "/video.mjpg?token=***";
                HttpResponse<String> details = Http.getText(server.url("/healthz"), "Authorization", CREDENTIALS);
                assertEquals(503, details.statusCode());
                assertTrue(details.body().startsWith("503 Service Unavailable: feed back: source " + shown + " is down: "),
                        details.body());
                assertHidesSecrets("/healthz with credentials", details.body());
                assertTrue(detailed(server, "/state").contains("\"" + shown + "\""), "/state names the source hidden");
                assertHidesSecrets("/state", detailed(server, "/state"));

                assertAnonymous(server, "/healthz", 503, "503 Service Unavailable: 1 feed down\n");
                assertAnonymous(server, "/cam/back/healthz", 503, "503 Service Unavailable: 1 feed down\n");
                assertAnonymous(server, "/cam/front/healthz", 200, "ok\n");
                assertAnonymous(server, "/cam/nope/healthz", 404, "404 Not Found: no such feed\n");
                HttpResponse<String> unknown = Http.getText(server.url("/cam/nope/healthz"), "Authorization", CREDENTIALS);
                assertEquals("404 Not Found: no such feed: nope (feeds: front, back)\n", unknown.body(),
                        "with credentials, the feeds there are");
                assertEquals(401, Http.get(server.url("/state")).statusCode(), "the rest still asks for credentials");
            }
        }
    }

    @Test
    void theLogOfARelayedFeedShowsNoUserOrToken() throws Exception {
        try (Upstream upstream = Upstream.start()) {
            Path config = dir.resolve("feeds.yaml");
            Files.writeString(config, String.join("\n",
                    "feeds:",
                    "  front: { test-pattern: true, size: 320x240, fps: 10 }",
                    "  back:  { url: \"" + upstream.url() + "\", size: 320x240 }",
                    ""));
            // Debug too: the relay's every failure, not only the first of an outage.
            try (ServerProcess server = ServerProcess.start(dir, List.of("-Dorg.slf4j.simpleLogger.log.io.mjpegserver=debug"),
                    "/cam/front/healthz", "--config", config.toString(), "--auth", "viewer:s3cret")) {
                Path log = dir.resolve("server.err");
                // The redirect, then a 401 to the relay's credentials: each failure is logged, or the loss before it.
                assertTrue(Http.eventually(Duration.ofSeconds(20), () -> upstream.answered() >= 3
                        && (read(log).contains("failed: upstream") || read(log).contains(" lost: "))),
                        () -> "the relay's failure is logged:\n" + read(log));
                String text = read(log);
                assertHidesSecrets("the log", text);
                assertTrue(text.contains("http://127.0.0.1:" + upstream.port() + "/video.mjpg?token=***"),
                        () -> "the log names the source, hidden:\n" + text);
            }
        }
    }

    private static String detailed(ServerFixture server, String path) {
        try {
            return Http.getText(server.url(path), "Authorization", CREDENTIALS).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void assertAnonymous(ServerFixture server, String path, int status, String body) throws Exception {
        HttpResponse<String> response = Http.getText(server.url(path));
        assertEquals(status, response.statusCode(), path);
        assertEquals(body, response.body(), path);
        for (String feed : List.of("front", "back", "127.0.0.1")) {
            assertFalse(response.body().contains(feed), path + " without credentials names " + feed);
        }
        assertHidesSecrets(path, response.body());
    }

    private static void assertHidesSecrets(String where, String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), () -> where + " shows " + secret + ":\n" + text);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(US_ASCII));
    }

    /** A camera that redirects the relay first, to an address with a token too, and then refuses its credentials. */
    private static final class Upstream implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread thread;
        private final AtomicInteger answered = new AtomicInteger();

        private Upstream(ServerSocket socket) {
            this.socket = socket;
            this.thread = new Thread(this::serve, "upstream");
            thread.setDaemon(true);
        }

        static Upstream start() throws IOException {
            Upstream upstream = new Upstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            upstream.thread.start();
            return upstream;
        }

        int port() {
            return socket.getLocalPort();
        }

        String url() {
            return "http://admin:hunter2@127.0.0.1:" + port() + "/video.mjpg?token=SECRETTOKEN";
        }

        int answered() {
            return answered.get();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket client = socket.accept()) {
                    client.setSoTimeout(5_000);
                    client.getInputStream().read(new byte[4096]);
                    String answer = answered.get() == 0
                            ? "HTTP/1.1 302 Found\r\nLocation: http://admin:hunter2@127.0.0.1:" + port()
                                    + "/other.mjpg?token=SECRETTOKEN\r\n"
                            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n";
                    OutputStream out = client.getOutputStream();
                    out.write((answer + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
                    out.flush();
                    answered.incrementAndGet();
                } catch (IOException e) {
                    // Closed, or a client gone: carry on until closed.
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
