package io.mjpegserver.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.MirrorConfig;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.server.testing.StreamClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@code --mirror}: an edge serves its origin's feeds under the same names, pulls each from the origin once and
 * only while watched, starts without its origin and serves it once it answers, and follows the origin as it gains
 * and loses feeds. Origin and edge are real servers on free ports, in this JVM.
 */
class MirrorTest {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FeedConfig pattern(String name, int width, int height, double fps) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), fps, 80, 4),
                CaptureOptions.DEFAULTS);
    }

    private static ServerConfig local(int port) {
        return ServerConfig.builder().host("127.0.0.1").port(port).build();
    }

    /** An edge of {@code origin} on a free port, each mirrored feed closing {@link #GRACE} after its last client. */
    private static MjpegServer edge(String origin) throws Exception {
        URI uri = MirrorConfig.parse(origin);
        return MjpegServer.start(local(0).toBuilder().mirror(new MirrorConfig(uri, new CaptureConfig(new SourceSpec.Url(uri),
                null, 0, 80, 4), new CaptureOptions(true, GRACE, false))).build());
    }

    private static String url(MjpegServer server, String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private static int width(byte[] jpeg) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth();
    }

    /** The paths the origin's stream clients asked for: one per edge relay. */
    private static List<String> upstreams(MjpegServer origin) {
        return origin.streamClients().stream().map(SessionStats::path).sorted().toList();
    }

    @Test
    void anEdgeServesTheOriginsFeedsUnderTheSameNamesPullingEachOnlyWhileWatched() throws Exception {
        try (ServerFixture origin = ServerFixture.start(local(0), List.of(pattern("front", 160, 120, 15),
                pattern("back", 320, 240, 10)));
                MjpegServer edge = edge(origin.url("/"))) {
            JsonNode state = JSON.readTree(Http.getText(url(edge, "/state")).body());
            assertEquals("front", state.get("feeds").get(0).get("name").asText());
            assertEquals("back", state.get("feeds").get(1).get("name").asText());
            assertEquals("http://127.0.0.1:" + origin.port() + "/cam/back/stream",
                    state.get("feeds").get(1).get("source").get("source").asText());
            assertEquals(List.of(), upstreams(origin.server()), "no origin connection before a client");
            assertEquals(200, Http.get(url(edge, "/healthz")).statusCode(), "idle mirrored feeds are healthy");

            // The snapshots are the origin's pictures, each at its feed's size; /snapshot is the origin's default feed.
            assertEquals(320, width(Http.get(url(edge, "/cam/back/snapshot")).body()));
            assertEquals(160, width(Http.get(url(edge, "/snapshot")).body()));

            List<StreamClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    clients.add(StreamClient.open(edge.port(), i % 2 == 0 ? "/cam/front/stream" : "/stream", "1.1"));
                }
                for (StreamClient client : clients) {
                    int w = 0;
                    for (int i = 0; i < 100 && w != 160; i++) {
                        w = width(client.next().body());
                    }
                    assertEquals(160, w, "the origin's front feed arrives");
                }
                assertTrue(Http.eventually(WAIT, () -> upstreams(origin.server()).equals(List.of("/cam/front/stream"))),
                        "four clients of one feed, one origin connection: " + upstreams(origin.server()));
            } finally {
                for (StreamClient client : clients) {
                    client.close();
                }
            }
            assertTrue(Http.eventually(WAIT, () -> upstreams(origin.server()).isEmpty()),
                    "no origin connection a grace after the last client: " + upstreams(origin.server()));
        }
    }

    @Test
    void anEdgeStartsWithoutItsOriginSaysWhyAndServesItOnceItAnswers() throws Exception {
        int port = ServerProcess.freePort();
        try (MjpegServer edge = edge("http://127.0.0.1:" + port)) {
            HttpResponse<String> stream = Http.getText(url(edge, "/stream"));
            assertEquals(503, stream.statusCode());
            assertEquals("503 Service Unavailable: no feeds yet: origin http://127.0.0.1:" + port + "/ not reached"
                    + " (connection refused)\n", stream.body());
            assertEquals(503, Http.get(url(edge, "/healthz")).statusCode(), "a balancer keeps clients off it");
            try (ServerFixture origin = ServerFixture.start(local(port), List.of(pattern("yard", 160, 120, 15)))) {
                // Each request to the feedless edge has it ask the origin again (at most once a second).
                assertTrue(Http.eventually(WAIT, () -> Http.status(url(edge, "/healthz")) == 200), "serves once the origin answers");
                assertEquals(160, width(Http.get(url(edge, "/cam/yard/snapshot")).body()));
                assertEquals(160, width(Http.get(url(edge, "/snapshot")).body()));
            }
        }
    }

    @Test
    void anEdgeFollowsItsOriginAsItGainsAndLosesFeeds() throws Exception {
        int port = ServerProcess.freePort();
        MjpegServer edge;
        StreamClient watcher;
        try (ServerFixture before = ServerFixture.start(local(port), List.of(pattern("front", 160, 120, 15),
                pattern("back", 320, 240, 10)))) {
            edge = edge(before.url("/"));
            watcher = StreamClient.open(edge.port(), "/cam/back/stream", "1.1");
            assertEquals(320, width(watcher.next().body()));
        }
        try (MjpegServer closing = edge; StreamClient back = watcher;
                ServerFixture after = ServerFixture.start(local(port), List.of(pattern("front", 160, 120, 15),
                        pattern("side", 240, 160, 10)))) {
            // A request for the new feed has the edge ask at once; it is served within a question or two.
            assertTrue(Http.eventually(WAIT, () -> Http.status(url(edge, "/cam/side/snapshot")) == 200), "the new feed");
            assertEquals(240, width(Http.get(url(edge, "/cam/side/snapshot")).body()));
            assertEquals(404, Http.status(url(edge, "/cam/back/snapshot")), "the feed the origin lost");
            // The lost feed's client is let go: its stream ends (NO SIGNAL parts may come first).
            long deadline = System.nanoTime() + WAIT.toNanos();
            assertThrows(IOException.class, () -> {
                while (System.nanoTime() < deadline) {
                    back.next();
                }
            }, "the lost feed's stream ends within " + WAIT);
            JsonNode state = JSON.readTree(Http.getText(url(edge, "/state")).body());
            assertEquals(List.of("front", "side"), List.of(state.get("feeds").get(0).get("name").asText(),
                    state.get("feeds").get(1).get("name").asText()));
        }
    }

    @Test
    void anEdgeAsksAnOriginWithAuthWithTheCredentialsOfItsUrl() throws Exception {
        ServerConfig guarded = local(0).toBuilder().credentials(new Credentials("edge", "s3cret:x")).build();
        try (ServerFixture origin = ServerFixture.start(guarded, List.of(pattern("gate", 160, 120, 15)))) {
            try (MjpegServer edge = edge("http://edge:s3cret%3Ax@127.0.0.1:" + origin.port())) {
                assertEquals(160, width(Http.get(url(edge, "/cam/gate/snapshot")).body()));
            }
            try (MjpegServer edge = edge("http://edge:wrong@127.0.0.1:" + origin.port())) {
                HttpResponse<String> stream = Http.getText(url(edge, "/stream"));
                assertEquals(503, stream.statusCode());
                assertEquals("503 Service Unavailable: no feeds yet: origin http://127.0.0.1:" + origin.port()
                        + "/ not reached (it answered 401 to /state: give its user and password in the URL,"
                        + " http://user:password@host:port/)\n", stream.body());
            }
        }
    }

    @Test
    void anEdgeSendsEachFrameWithTheOriginsTimestamp() throws Exception {
        try (ServerFixture origin = ServerFixture.start(local(0), List.of(pattern("yard", 160, 120, 15)));
                MjpegServer edge = edge(origin.url("/"));
                StreamClient direct = StreamClient.open(origin.port(), "/stream", "1.1");
                StreamClient relayed = StreamClient.open(edge.port(), "/stream", "1.1")) {
            assertSameStamps(direct, relayed);
        }
    }

    @Test
    void aRelayPollingSnapshotsKeepsEachSnapshotsTimestamp() throws Exception {
        try (ServerFixture origin = ServerFixture.start(local(0), List.of(pattern("yard", 160, 120, 15)));
                StreamClient direct = StreamClient.open(origin.port(), "/stream", "1.1");
                ServerFixture relay = ServerFixture.start(local(0), List.of(new FeedConfig(FeedConfig.DEFAULT_NAME,
                        new CaptureConfig(new SourceSpec.Url(URI.create(origin.url("/snapshot"))), null, 5, 80, 4),
                        CaptureOptions.DEFAULTS)));
                StreamClient relayed = StreamClient.open(relay.port(), "/stream", "1.1")) {
            assertSameStamps(direct, relayed);
        }
    }

    /**
     * Five frames of {@code relayed} carry the stamps {@code direct} (a client of the origin, opened first) saw on
     * the same frames, told by their bytes, as the relay numbers frames its own way. {@code direct} is read all the
     * while on a thread of its own, so the origin never skips a frame for it while {@code relayed} is read.
     */
    private static void assertSameStamps(StreamClient direct, StreamClient relayed) throws Exception {
        Map<String, String> directStamps = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < 3000 && !done.get(); i++) {
                    MultipartStreamReader.Part part = direct.next();
                    directStamps.put(Base64.getEncoder().encodeToString(part.body()), part.timestamp());
                }
            } catch (IOException e) {
                // The stream closed at the end of the test.
            }
        }, "direct-reader");
        reader.start();
        try {
            int matched = 0;
            for (int i = 0; i < 60 && matched < 5; i++) {
                MultipartStreamReader.Part part = relayed.next();
                String body = Base64.getEncoder().encodeToString(part.body());
                // The relay polled the origin's newest frame, which its direct client was sent first.
                if (Http.eventually(Duration.ofSeconds(2), () -> directStamps.containsKey(body))) {
                    assertEquals(directStamps.get(body), part.timestamp(), "X-Timestamp of the origin's frame once relayed");
                    matched++;
                }
            }
            assertEquals(5, matched, "relayed frames found among the origin's");
        } finally {
            done.set(true);
        }
    }
}
