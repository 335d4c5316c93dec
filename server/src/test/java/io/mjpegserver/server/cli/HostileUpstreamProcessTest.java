package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.testing.Clips;
import io.mjpegserver.testing.HostileUpstream;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command, with a config file whose first feeds' upstreams take the connection and misbehave
 * ({@link HostileUpstream}): an RTSP server that sends garbage forever, and RTSP and HTTP upstreams that never say a
 * word. No feed's open or read holds another feed or the start, a feed that yields no frame is reported down with a
 * clear error, and SIGTERM still ends the process within 2 s.
 */
class HostileUpstreamProcessTest {

    @TempDir
    Path dir;

    private ChildProcess start(int port, String... feeds) throws Exception {
        Path config = dir.resolve("mjpeg-server.yaml");
        List<String> lines = new ArrayList<>(List.of("host: 127.0.0.1", "port: " + port, "feeds:"));
        for (String feed : feeds) {
            lines.add("  " + feed);
        }
        Files.writeString(config, String.join("\n", lines) + "\n");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString());
        return ChildProcess.start(dir, "server", command);
    }

    private static boolean answers(String url) {
        try {
            return Http.get(url).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonNode feed(String base, String name) throws Exception {
        for (JsonNode feed : new ObjectMapper().readTree(Http.getText(base + "/state").body()).get("feeds")) {
            if (feed.get("name").asText().equals(name)) {
                return feed.get("source");
            }
        }
        throw new AssertionError("no feed " + name + " in /state");
    }

    @Test
    void aGarbageRtspFeedFirstHoldsNeitherTheStartNorTheFileAfterIt() throws Exception {
        Clips.make(dir.resolve("lobby.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 30, 10);
        try (HostileUpstream garbage = HostileUpstream.garbage()) {
            int port = ServerProcess.freePort();
            String base = "http://127.0.0.1:" + port;
            try (ChildProcess server = start(port, "garbage: { url: \"" + garbage.url("rtsp", "/stream") + "\" }",
                    "lobby: { file: lobby.avi }")) {
                long started = System.nanoTime();
                // Seconds on an idle machine; the bound is for a loaded one (the open under way never ends).
                assertTrue(Http.eventually(Duration.ofSeconds(60), () -> answers(base + "/cam/lobby/snapshot")
                        || !server.isAlive()), "the server listens and serves the file feed");
                System.out.printf("file feed served %d ms after the start%n", (System.nanoTime() - started) / 1_000_000);
                assertTrue(garbage.connections() > 0, "the garbage feed was opened first");
                HttpResponse<byte[]> snapshot = Http.get(base + "/cam/lobby/snapshot");
                assertEquals(320, ImageIO.read(new ByteArrayInputStream(snapshot.body())).getWidth());
                // The open's deadline is 3 socket timeouts (15 s); the feed is down with our words soon after.
                assertTrue(Http.eventually(Duration.ofSeconds(40), () -> {
                    try {
                        return !feed(base, "garbage").get("online").asBoolean();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }), "the garbage feed is reported down");
                JsonNode down = feed(base, "garbage");
                assertTrue(down.get("lastError").asText().contains("did not start a stream within 15 s: it answers,"
                        + " but not as an RTSP camera should"), down.toString());
                assertTrue(answers(base + "/cam/lobby/snapshot"), "the file feed still serves");
                server.terminate();
                assertEquals(0, server.await(Duration.ofSeconds(20)).exitCode(), "a clean stop");
            }
        }
    }

    @Test
    void sigtermEndsTheProcessWithin2sThoughUpstreamsNeverAnswer() throws Exception {
        Clips.make(dir.resolve("lobby.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 30, 10);
        try (HostileUpstream rtsp = HostileUpstream.silent(); HostileUpstream http = HostileUpstream.silent()) {
            int port = ServerProcess.freePort();
            String base = "http://127.0.0.1:" + port;
            List<String> feeds = new ArrayList<>(List.of("lobby: { file: lobby.avi }"));
            for (int i = 0; i < 3; i++) {
                feeds.add("rtsp" + i + ": { url: \"" + rtsp.url("rtsp", "/stream" + i) + "\" }");
                feeds.add("http" + i + ": { url: \"" + http.url("http", "/video" + i + ".mjpg") + "\" }");
            }
            try (ChildProcess server = start(port, feeds.toArray(String[]::new))) {
                assertTrue(Http.eventually(Duration.ofSeconds(30), () -> answers(base + "/cam/lobby/snapshot")
                        || !server.isAlive()), "the server serves");
                assertTrue(Http.eventually(Duration.ofSeconds(10), () -> rtsp.connections() >= 3
                        && http.connections() >= 3), "every upstream took its connection, and says nothing");
                long signalled = System.nanoTime();
                server.terminate();
                ChildProcess.Outcome outcome = server.await(Duration.ofSeconds(20));
                long millis = (System.nanoTime() - signalled) / 1_000_000;
                System.out.printf("SIGTERM to exit with 6 silent upstreams: %d ms%n", millis);
                assertFalse(outcome.timedOut(), outcome.describe());
                assertEquals(0, outcome.exitCode(), outcome.describe());
                assertTrue(millis < 2000, "ended " + millis + " ms after SIGTERM (expected: within 2 s)\n"
                        + outcome.describe());
            }
        }
    }
}
