package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Pools;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 200 clients that send a request and never read, and 5 that read: the readers get every frame, and the
 * server's direct memory stays within the ring, the loops' newest parts, and the frames the stalled clients
 * were sent before they stalled (shared, never copied).
 */
class StalledClientsTest {

    private static final int STALLED = 200;
    private static final int READERS = 5;
    private static final int FPS = 30;
    private static final int WINDOW = 5 * FPS;

    @Test
    void twoHundredStalledClientsCostReadersNothing() throws Exception {
        PooledByteBufAllocator alloc = Pools.uncached();
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1280, 720), FPS, 90, 4);
        ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0);
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        List<Socket> stalled = new ArrayList<>();
        try (ServerFixture server = ServerFixture.start(config, capture, FrameSources.create(capture), alloc)) {
            for (int i = 0; i < STALLED; i++) {
                Socket socket = new Socket();
                stalled.add(socket);
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                socket.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
            }
            List<Set<Long>> seen = new ArrayList<>();
            CountDownLatch reading = new CountDownLatch(READERS);
            for (int r = 0; r < READERS; r++) {
                Set<Long> sequences = new ConcurrentSkipListSet<>();
                seen.add(sequences);
                pool.submit(() -> {
                    try (StreamClient reader = StreamClient.open(server.port(), "/stream", "1.1")) {
                        while (!Thread.currentThread().isInterrupted()) {
                            sequences.add(reader.next().sequence());
                            reading.countDown();
                        }
                    }
                    return null;
                });
            }
            assertTrue(reading.await(20, TimeUnit.SECONDS));
            assertTrue(Http.eventually(Duration.ofSeconds(20),
                    () -> server.server().streamClients().size() == STALLED + READERS), "all connected");

            long first = server.server().ring().published() + 1;
            CountDownLatch window = new CountDownLatch(WINDOW);
            long[] maxFrame = {0};
            FrameListener listener = f -> {
                maxFrame[0] = Math.max(maxFrame[0], f.size());
                window.countDown();
            };
            server.server().ring().addListener(listener);
            long peakBuffers = 0;
            long peakMemory = 0;
            int peakPinned = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (window.getCount() > 0 && System.nanoTime() < deadline) {
                window.await(100, TimeUnit.MILLISECONDS);
                peakBuffers = Math.max(peakBuffers, Pools.activeAllocations(alloc));
                peakMemory = Math.max(peakMemory, Pools.directMemory(alloc));
                Set<Long> pinned = new HashSet<>();
                for (SessionStats s : server.server().streamClients()) {
                    if (s.pendingBytes() > 0) {
                        pinned.add(s.lastSequence());
                    }
                }
                peakPinned = Math.max(peakPinned, pinned.size());
            }
            server.server().ring().removeListener(listener);
            assertEquals(0, window.getCount(), "the source kept its rate");
            long last = first + WINDOW - 1;

            for (Set<Long> sequences : seen) {
                List<Long> missing = new ArrayList<>();
                for (long seq = first; seq < last; seq++) {
                    if (!sequences.contains(seq)) {
                        missing.add(seq);
                    }
                }
                assertTrue(missing.isEmpty(), "a reader missed frames: " + missing);
            }
            long skipped = server.server().streamClients().stream().mapToLong(SessionStats::framesSkipped).sum();
            // Live buffers: a JPEG and a part header for each frame in the ring, in each loop's newest part, in the
            // making, and pinned by the stalled sockets' unsent writes; plus a request being decoded here and there.
            long frames = capture.ringSize() + 2 + 2 + peakPinned;
            long bound = 2 * frames + 16;
            System.out.printf("stalled: %d stalled + %d readers, %d frames skipped; peak %d live buffers (bound %d: %d"
                    + " distinct frames pinned by stalled sockets), frames up to %d bytes, so at most %d bytes of frames;"
                    + " pool direct memory peak %d bytes%n", STALLED, READERS, skipped, peakBuffers, bound, peakPinned,
                    maxFrame[0], frames * maxFrame[0], peakMemory);
            assertTrue(skipped > 0, "stalled clients skip frames");
            assertTrue(peakBuffers <= bound, "peak " + peakBuffers + " live buffers > bound " + bound);
            assertTrue(peakMemory <= 16L << 20, "pool direct memory " + peakMemory + " over 16 MiB");
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
