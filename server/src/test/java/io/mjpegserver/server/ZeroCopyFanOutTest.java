package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.CountingAllocator;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Serving 50 clients allocates no more buffer memory per frame than serving one: every buffer the server
 * allocates (frames, part headers, anything per connection) comes from one counting allocator.
 */
class ZeroCopyFanOutTest {

    private static final int FRAMES_MEASURED = 30;

    @Test
    void fiftyClientsCostNoMoreBuffersPerFrameThanOne() throws Exception {
        CountingAllocator alloc = new CountingAllocator();
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 360), 30, 80, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).build();
        ExecutorService pool = Executors.newCachedThreadPool();
        List<AtomicLong> received = new ArrayList<>();
        try (ServerFixture server = ServerFixture.start(config, capture, FrameSources.create(capture), alloc)) {
            connect(server, pool, received, 1);
            double[] one = measure(server, alloc, received);

            connect(server, pool, received, 49);
            double[] fifty = measure(server, alloc, received);

            System.out.printf("buffers per frame: 1 client %.2f allocations, %.0f bytes; 50 clients %.2f allocations, %.0f bytes%n",
                    one[0], one[1], fifty[0], fifty[1]);
            assertTrue(fifty[0] <= one[0] + 0.5, "allocations per frame grow with clients: " + one[0] + " -> " + fifty[0]);
            assertTrue(fifty[1] <= one[1] * 1.25, "bytes per frame grow with clients: " + one[1] + " -> " + fifty[1]);
            assertTrue(one[0] <= 3, "a frame costs its JPEG and its part header: " + one[0]);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Starts {@code n} readers and waits until each has its first frames. */
    private static void connect(ServerFixture server, ExecutorService pool, List<AtomicLong> received, int n)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            AtomicLong count = new AtomicLong();
            received.add(count);
            pool.submit(() -> {
                try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                    while (!Thread.currentThread().isInterrupted()) {
                        client.next();
                        if (count.incrementAndGet() == 3) {
                            ready.countDown();
                        }
                    }
                }
                return null;
            });
        }
        assertTrue(ready.await(30, TimeUnit.SECONDS), "every client streams");
    }

    /** Allocations and bytes per published frame over the next frames, once every client has received them. */
    private static double[] measure(ServerFixture server, CountingAllocator alloc, List<AtomicLong> received)
            throws InterruptedException {
        CountDownLatch frames = new CountDownLatch(FRAMES_MEASURED);
        io.mjpegserver.capture.frame.FrameListener listener = f -> frames.countDown();
        long allocations0 = alloc.allocations();
        long bytes0 = alloc.bytes();
        long published0 = server.server().ring().published();
        server.server().ring().addListener(listener);
        try {
            assertTrue(frames.await(30, TimeUnit.SECONDS));
        } finally {
            server.server().ring().removeListener(listener);
        }
        long published = server.server().ring().published() - published0;
        return new double[] {
            (alloc.allocations() - allocations0) / (double) published,
            (alloc.bytes() - bytes0) / (double) published,
        };
    }
}
