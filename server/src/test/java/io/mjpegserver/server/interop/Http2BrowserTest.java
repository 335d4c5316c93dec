package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wall of twelve cameras in a real Chromium: a page of twelve {@code <img>} streams. Over HTTP/1.1 Chromium
 * opens at most six connections to one host, so six streams play and six stay blank; over HTTP/2 (TLS, ALPN)
 * all twelve are streams of one connection and every one of them advances.
 */
class Http2BrowserTest {

    private static final int STREAMS = 12;
    private static final Duration WAIT = Duration.ofSeconds(40);
    /** Twelve distinct stream URLs (a browser loads one image once per URL) on the page's own origin. */
    private static final String WALL = "document.body.innerHTML = [...Array(" + STREAMS + ").keys()]"
            + ".map(i => '<img width=160 src=\"/stream?camera=' + i + '\">').join(''); true";
    /** Our page, loaded: not the blank page Chromium starts on, nor an error page. */
    private static final String LOADED = "location.pathname === '/healthz' && document.readyState === 'complete'"
            + " && document.body.innerText.trim() === 'ok'";
    private static final String PAINTED = "[...document.images].filter(i => i.naturalWidth > 0).length";

    @TempDir
    Path dir;

    private static CaptureConfig capture() {
        return new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(320, 240), 10, 70, 4);
    }

    @Test
    void overHttp2EveryOneOfTwelveStreamsAdvances() throws Exception {
        Path chromium = Programs.require("chromium", "chromium");
        Programs.require("openssl", "openssl");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ChildProcess.run(dir, "openssl-req", WAIT, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost")).assertExit(0);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                .tls(new TlsFiles(cert, key)).build();
        try (ServerFixture server = ServerFixture.start(config, capture());
                DevToolsChromium page = DevToolsChromium.open(chromium, dir, "https://127.0.0.1:" + server.port() + "/healthz",
                        1280, 800, List.of("--ignore-certificate-errors"))) {
            assertTrue(page.until(WAIT, LOADED), "the page did not load");
            page.evaluate(WALL);
            StreamClients.await(server.server(), s -> s.size() == STREAMS, STREAMS + " streams", WAIT);
            List<SessionStats> first = server.server().streamClients();
            assertTrue(first.stream().allMatch(s -> s.protocol().equals("HTTP/2")), first::toString);
            assertEquals(1, first.stream().map(SessionStats::remote).distinct().count(), () -> "not one connection: " + first);
            // Every one advances: each at least five frames (of ten a second) beyond the most any had at first.
            long floor = first.stream().mapToLong(SessionStats::framesSent).max().orElseThrow() + 5;
            StreamClients.await(server.server(), s -> s.size() == STREAMS && s.stream().allMatch(c -> c.framesSent() >= floor),
                    "all " + STREAMS + " streams at " + floor + " frames", WAIT);
            assertTrue(page.until(WAIT, PAINTED + " === " + STREAMS), () -> "painted: " + painted(page));
        }
    }

    @Test
    void overHttp11SixPlayAndSixWait() throws Exception {
        Path chromium = Programs.require("chromium", "chromium");
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).build();
        try (ServerFixture server = ServerFixture.start(config, capture());
                DevToolsChromium page = DevToolsChromium.open(chromium, dir, server.url("/healthz"), 1280, 800)) {
            assertTrue(page.until(WAIT, LOADED), "the page did not load");
            page.evaluate(WALL);
            StreamClients.await(server.server(), s -> s.size() == 6, "6 streams", WAIT);
            assertTrue(page.until(WAIT, PAINTED + " === 6"), () -> "painted: " + painted(page));
            // And no more: two seconds on (twenty frames), still six streams, six blank pictures.
            assertTrue(!Http.eventually(Duration.ofSeconds(2), () -> server.server().streamClients().size() > 6),
                    "more than six streams over HTTP/1.1");
            List<SessionStats> sessions = server.server().streamClients();
            assertEquals(6, sessions.size(), sessions::toString);
            assertTrue(sessions.stream().allMatch(s -> s.protocol().equals("HTTP/1.1")), sessions::toString);
            assertEquals("6", painted(page));
        }
    }

    private static String painted(DevToolsChromium page) {
        try {
            return page.evaluate(PAINTED).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
