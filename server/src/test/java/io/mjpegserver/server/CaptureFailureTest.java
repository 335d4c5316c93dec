package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.ForwardingFrameSource;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Over real sockets: what is thrown on the capture thread outside the source (a ring listener,
 * as the broadcaster's Part.of is one), and a grab that never returns, are source losses: counted, shown on
 * /healthz, /state and /metrics, NO SIGNAL frames on open streams, and live frames again after.
 */
class CaptureFailureTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final CaptureConfig CAPTURE =
            new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), 30, 80, 4);

    private static boolean live(MultipartStreamReader.Part part) {
        return Frames.live(part.body(), WIDTH);
    }

    private static JsonNode source(ServerFixture server) throws Exception {
        return new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("source");
    }

    @Test
    void aRingListenerThatThrowsIsASourceLoss() throws Exception {
        List<String> losses = new CopyOnWriteArrayList<>();
        CountDownLatch lost = new CountDownLatch(1);
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), CAPTURE);
                StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
            server.server().onSourceLoss(reason -> {
                losses.add(reason);
                lost.countDown();
            });
            assertTrue(live(client.next()));
            AtomicInteger frames = new AtomicInteger();
            server.server().ring().addListener(frame -> {
                if (frames.incrementAndGet() == 3) {
                    throw new IllegalStateException("a bug in a listener");
                }
            });
            assertTrue(lost.await(10, TimeUnit.SECONDS), "the loss is told, as --exit-on-source-loss needs");
            assertEquals(List.of("internal error while publishing a frame (IllegalStateException): see the log"), losses);

            boolean noSignal = false;
            boolean liveAgain = false;
            for (int i = 0; i < 300 && !liveAgain; i++) {
                boolean isLive = live(client.next());
                noSignal |= !isLive;
                liveAgain = noSignal && isLive;
            }
            assertTrue(noSignal, "a NO SIGNAL frame reached the stream");
            assertTrue(liveAgain, "then live frames again, on the same connection");
            JsonNode source = source(server);
            assertEquals(1, source.get("failures").asLong(), source.toString());
            assertEquals(1, source.get("internalErrors").asLong(), source.toString());
            assertEquals(0, source.get("hangs").asLong(), source.toString());
            assertEquals("internal error while publishing a frame (IllegalStateException): see the log",
                    source.get("lastError").asText());
            String metrics = Http.getText(server.url("/metrics")).body();
            assertEquals(1.0, ObserveTest.value(metrics, "mjpeg_source_failures_total{feed=\"default\"}"), metrics);
            assertEquals(1.0, ObserveTest.value(metrics, "mjpeg_capture_internal_errors_total{feed=\"default\"}"), metrics);
        }
    }

    /** The test pattern, whose grab blocks while {@link #hang} is set, deaf to interrupts as a native read is. */
    static final class HangingSource extends ForwardingFrameSource {
        final AtomicBoolean hang = new AtomicBoolean();
        final CountDownLatch release = new CountDownLatch(1);

        HangingSource(FrameSource inner) {
            super(inner);
        }

        @Override
        public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (hang.get() && release.getCount() > 0 && System.nanoTime() < deadline) {
                try {
                    release.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException deaf) {
                    // As FFmpeg's read: an interrupt does not end it.
                }
            }
            return inner.grab(alloc);
        }
    }

    @Test
    void aGrabThatNeverReturnsIsDetectedAndNoSignalFlowsMeanwhile() throws Exception {
        HangingSource source = new HangingSource(FrameSources.create(CAPTURE));
        List<String> losses = new CopyOnWriteArrayList<>();
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), CAPTURE,
                source, PooledByteBufAllocator.DEFAULT);
                StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
            server.server().onSourceLoss(losses::add);
            assertTrue(live(client.next()));
            source.hang.set(true);
            List<Long> noSignal = new ArrayList<>();
            // The stream resends the newest frame about once a second: only distinct NO SIGNAL frames count.
            for (int i = 0; i < 300 && noSignal.size() < 2; i++) {
                MultipartStreamReader.Part part = client.next();
                if (!live(part) && (noSignal.isEmpty() || noSignal.get(noSignal.size() - 1) != part.sequence())) {
                    noSignal.add(part.sequence());
                }
            }
            assertEquals(2, noSignal.size(), "two distinct NO SIGNAL frames while the grab hangs");
            assertEquals(1, source.release.getCount(), "the grab is still hung");
            String reason = "no frame from test pattern for 2.0 s: its read hangs";
            assertEquals(List.of(reason), losses);
            HttpResponse<String> health = Http.getText(server.url("/healthz"));
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("source test pattern is down: " + reason), health.body());
            JsonNode state = source(server);
            assertFalse(state.get("online").asBoolean());
            assertEquals(1, state.get("hangs").asLong());
            assertEquals(1, state.get("failures").asLong());
            String metrics = Http.getText(server.url("/metrics")).body();
            assertEquals(1.0, ObserveTest.value(metrics, "mjpeg_source_hangs_total{feed=\"default\"}"), metrics);
            assertEquals(0.0, ObserveTest.value(metrics, "mjpeg_source_up{feed=\"default\"}"), metrics);

            source.hang.set(false);
            source.release.countDown();
            boolean back = false;
            for (int i = 0; i < 300 && !back; i++) {
                back = live(client.next());
            }
            assertTrue(back, "live frames again once the read returns and the source is reopened");
            assertTrue(Http.eventually(Duration.ofSeconds(5), () -> server.server().captureStats().online()));
            assertEquals(200, Http.get(server.url("/healthz")).statusCode());
        }
    }
}
