package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What threads a server's feeds cost: an idle on-demand feed holds none, so a server of 300 of them starts with
 * about as many threads as a server of one (its event loops and the supervisors' small pool); a watched feed has
 * its capture thread, which ends once the feed is idle again.
 */
class FeedThreadsTest {

    private static final int FEEDS = 300;
    /** Event loops, the supervisors' pool, the natives' loader, JDK helpers: a handful, whatever the feeds. */
    private static final int FEW = 25;

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** The feeds' own threads: capture threads (and, before, watchdog threads), not the shared supervisors. */
    private static long feedThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("capture-") && !name.startsWith("capture-supervisor-")).count();
    }

    @Test
    void idleOnDemandFeedsHoldNoThread() throws Exception {
        CaptureOptions onDemand = new CaptureOptions(true, Duration.ofMillis(200), false);
        List<FeedConfig> feeds = new ArrayList<>();
        for (int i = 0; i < FEEDS; i++) {
            CaptureConfig capture = CaptureConfig.testPattern().withSize(new VideoSize(160, 120)).withFps(10);
            feeds.add(new FeedConfig("f" + i, capture, onDemand));
        }
        int before = threads();
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), feeds)) {
            int idle = threads();
            System.out.printf("%d idle on-demand feeds: %d threads before the server, %d with it%n", FEEDS, before, idle);
            assertTrue(idle - before <= FEW, FEEDS + " idle feeds cost " + (idle - before) + " threads (expected: <= "
                    + FEW + ", whatever the number of feeds)");
            assertEquals(200, Http.get(server.url("/cam/f7/snapshot")).statusCode(), "a feed still opens for a client");
            assertTrue(Http.eventually(Duration.ofSeconds(15), () -> feedThreads() == 0),
                    "the feed's capture thread ends once it is idle again");
            assertTrue(threads() - before <= FEW, "idle again: " + (threads() - before) + " threads");
        }
    }
}
