package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.ListenConfig;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client that stops reading costs nobody else a frame and the server no memory past its own share. */
class SlowClientTest {

    private static final int FPS = 30;
    /** Five seconds of frames. */
    private static final int WINDOW = 5 * FPS;

    private static String outcome(Future<Void> task) {
        try {
            task.get(0, TimeUnit.SECONDS);
            return "ended";
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aStalledClientNeitherSlowsOthersNorGrowsMemory() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1280, 720), FPS, 90, 4);
        // One event loop: the stalled client shares it with the normal one, the case where blocking would show.
        // A long client timeout: this is about skipping, and the stalled client must stay for the whole window.
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                .clientTimeout(Duration.ofSeconds(60)).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ServerFixture server = ServerFixture.start(config, capture);
                Socket stalled = new Socket()) {
            // A tiny receive window, and never a read: the server's socket fills within a frame or two.
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            stalled.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));

            Set<Long> seen = new ConcurrentSkipListSet<>();
            CountDownLatch normalStreaming = new CountDownLatch(1);
            Future<Void> normalReader = pool.submit(() -> {
                try (StreamClient normal = StreamClient.open(server.port(), "/stream", "1.1")) {
                    while (!Thread.currentThread().isInterrupted()) {
                        seen.add(normal.next().sequence());
                        normalStreaming.countDown();
                    }
                }
                return null;
            });
            if (!normalStreaming.await(30, TimeUnit.SECONDS)) {
                fail("the normal client got no frame in 30 s" + (normalReader.isDone() ? ": " + outcome(normalReader) : ""));
            }

            long first = server.server().ring().published() + 1;
            long maxPending = 0;
            long maxPart = 0;
            CountDownLatch window = new CountDownLatch(WINDOW);
            FrameListener listener = f -> window.countDown();
            server.server().ring().addListener(listener);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (window.getCount() > 0 && System.nanoTime() < deadline) {
                window.await(100, TimeUnit.MILLISECONDS);
                for (SessionStats s : server.server().streamClients()) {
                    maxPending = Math.max(maxPending, s.pendingBytes());
                }
                io.mjpegserver.capture.frame.Frame latest = server.server().ring().latest();
                if (latest != null) {
                    maxPart = Math.max(maxPart, latest.size() + 256);
                    latest.release();
                }
            }
            server.server().ring().removeListener(listener);
            assertEquals(0, window.getCount(), "the source produced " + WINDOW + " frames");
            long last = first + WINDOW - 1;

            // The normal client kept up: it caught up with the newest frame at once, and got most of the window's
            // frames. Not every one: on a busy machine its own reads may lag and it then skips, as any client would.
            // A fan-out held up by the stalled client (both share one event loop here) leaves it seconds behind.
            assertTrue(Http.eventually(Duration.ofSeconds(3), () -> seen.stream().anyMatch(seq -> seq >= last - 1)),
                    "the normal client is behind: newest seen " + seen.stream().max(Long::compare).orElse(0L)
                    + ", newest published " + last);
            long got = seen.stream().filter(seq -> seq >= first && seq <= last).count();
            System.out.printf("normal client: %d of the window's %d frames%n", got, WINDOW);
            assertTrue(got >= WINDOW * 2 / 3, "the normal client got " + got + " of the window's " + WINDOW + " frames");

            SessionStats stalledStats = server.server().streamClients().stream()
                    .filter(s -> s.framesSkipped() > 0).findFirst().orElseThrow(() -> new AssertionError("no client skipped: " + server.server().streamClients()));
            // Half a part may wait before the channel turns unwritable, then one whole part is queued on top.
            long bound = Math.max(16 * 1024, maxPart / 2) + maxPart;
            // Linux doubles SO_SNDBUF; the client's own receive buffer and one part in flight come on top.
            long kernelBound = 2L * ListenConfig.DEFAULT_SEND_BUFFER + 64 * 1024 + bound;
            assertTrue(stalledStats.bytesSent() <= kernelBound,
                    "the kernel took " + stalledStats.bytesSent() + " bytes for the stalled client, over " + kernelBound);
            System.out.printf("stalled client: %d frames sent (%d bytes), %d skipped, at most %d bytes pending (bound %d)%n",
                    stalledStats.framesSent(), stalledStats.bytesSent(), stalledStats.framesSkipped(), maxPending, bound);
            assertTrue(maxPending <= bound, "pending " + maxPending + " > " + bound);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
