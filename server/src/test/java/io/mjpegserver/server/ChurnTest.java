package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Pools;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 2000 clients connect, read a few frames and leave, in parallel waves. Afterwards nothing is left behind:
 * no session, no buffer beyond the idle figures, no leak (LeakGuard checks the last).
 */
class ChurnTest {

    private static final int CLIENTS = 2000;
    private static final int WAVE = 100;

    @Test
    void twoThousandClientsComeAndGoAndLeaveNothingBehind() throws Exception {
        PooledByteBufAllocator alloc = Pools.uncached();
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 360), 30, 80, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).maxClients(0).build();
        ExecutorService pool = Executors.newFixedThreadPool(WAVE);
        try (ServerFixture server = ServerFixture.start(config, capture, FrameSources.create(capture), alloc)) {
            awaitFrames(server, 8);
            long idleAllocations = Pools.activeAllocations(alloc);
            // The ring keeps --ring-seconds of frames and is still filling: its own frames are counted apart.
            int idleRing = server.server().ring().occupancy();
            long idleBytes = Pools.directMemory(alloc);

            long started = System.nanoTime();
            for (int wave = 0; wave < CLIENTS / WAVE; wave++) {
                List<Future<Void>> clients = new ArrayList<>();
                for (int i = 0; i < WAVE; i++) {
                    String version = i % 4 == 0 ? "1.0" : "1.1";
                    clients.add(pool.submit(() -> {
                        try (StreamClient client = StreamClient.open(server.port(), "/stream", version)) {
                            client.next();
                            client.next();
                        }
                        return null;
                    }));
                }
                for (Future<Void> client : clients) {
                    client.get(60, TimeUnit.SECONDS);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;

            assertTrue(Http.eventually(Duration.ofSeconds(10), () -> server.server().streamClients().isEmpty()),
                    "every session ended: " + server.server().streamClients().size() + " left");
            awaitFrames(server, 8);
            long afterAllocations = Pools.activeAllocations(alloc);
            int afterRing = server.server().ring().occupancy();
            long afterBytes = Pools.directMemory(alloc);
            System.out.printf("churn: %d clients in %.1f s (%.0f/s); live buffers idle %d, after %d; pool direct memory idle %d bytes, after %d%n",
                    CLIENTS, seconds, CLIENTS / seconds, idleAllocations, afterAllocations, idleBytes, afterBytes);
            // Between two frames the ring, each loop's newest part and one frame in the making: a few either way.
            assertTrue(afterAllocations - afterRing <= idleAllocations - idleRing + 4, idleAllocations + " -> "
                    + afterAllocations + " (ring " + idleRing + " -> " + afterRing + " frames)");
            int held = server.server().ring().occupancy();
            assertTrue(held >= capture.ringSize() && held <= server.server().ring().capacity(), "ring holds " + held);
            double sessions = ObserveTest.value(Http.getText(server.url("/metrics")).body(), "mjpeg_stream_sessions_total{feed=\"default\"}");
            assertEquals(CLIENTS, sessions);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitFrames(ServerFixture server, int frames) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(frames);
        io.mjpegserver.capture.frame.FrameListener listener = f -> latch.countDown();
        server.server().ring().addListener(listener);
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } finally {
            server.server().ring().removeListener(listener);
        }
    }
}
