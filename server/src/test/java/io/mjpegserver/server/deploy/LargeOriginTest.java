package io.mjpegserver.server.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.config.MirrorConfig;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An edge of an origin that lists thousands of feeds (a stand-in origin whose {@code /state} lists
 * {@link #LISTED}): its feeds cost no thread each, and it mirrors at most {@code --mirror-max-feeds} of them, the
 * origin's first (its default among them).
 */
class LargeOriginTest {

    private static final int LISTED = 3000;
    /** Event loops, the supervisors' pool, the mirror's thread, the relay loop: a handful, whatever the feeds. */
    private static final int FEW = 25;

    private HttpServer origin;

    @BeforeEach
    void startOrigin() throws Exception {
        String feeds = IntStream.range(0, LISTED).mapToObj(i -> "{\"name\":\"cam" + i + "\"}")
                .collect(Collectors.joining(",", "{\"feeds\":[", "]}"));
        byte[] state = feeds.getBytes(UTF_8);
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        origin.createContext("/state", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, state.length);
            exchange.getResponseBody().write(state);
            exchange.close();
        });
        origin.start();
    }

    @AfterEach
    void stopOrigin() {
        origin.stop(0);
    }

    private MjpegServer edge(int maxFeeds) throws Exception {
        URI uri = MirrorConfig.parse("http://127.0.0.1:" + origin.getAddress().getPort() + "/");
        return MjpegServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
                .mirror(new MirrorConfig(uri, new CaptureConfig(new SourceSpec.Url(uri), null, 0, 80, 4),
                        new CaptureOptions(true, Duration.ofSeconds(1), false), maxFeeds)).build());
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    @Test
    void thousandsOfMirroredFeedsHoldNoThreadEach() throws Exception {
        int before = threads();
        try (MjpegServer edge = edge(LISTED)) {
            assertEquals(LISTED, edge.feeds().all().size(), "every listed feed mirrored");
            int during = threads();
            System.out.printf("an edge of %d feeds: %d threads before it, %d with it%n", LISTED, before, during);
            assertTrue(during - before <= FEW, LISTED + " mirrored feeds cost " + (during - before)
                    + " threads (expected: <= " + FEW + ", whatever the number of feeds)");
        }
    }

    @Test
    void anEdgeMirrorsAtMostItsCap() throws Exception {
        try (MjpegServer edge = edge(50)) {
            List<String> names = edge.feeds().all().stream().map(Feed::name).toList();
            assertEquals(IntStream.range(0, 50).mapToObj(i -> "cam" + i).toList(), names,
                    "the origin's first 50, in its order");
            assertEquals("cam0", edge.feeds().defaultFeed().name(), "the origin's default is the edge's");
        }
    }
}
