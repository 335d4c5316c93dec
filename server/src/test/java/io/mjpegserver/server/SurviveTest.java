package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The source fails mid-stream: streams stay open, show NO SIGNAL, and get live frames again on their own. */
class SurviveTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;

    /** The test pattern, failing to grab and to reopen while {@link #down} is set. */
    static final class FlakySource extends ForwardingFrameSource {
        final AtomicBoolean down = new AtomicBoolean();

        FlakySource(FrameSource inner) {
            super(inner);
        }

        @Override
        public void open() throws SourceException {
            if (down.get()) {
                throw new SourceException("camera /dev/video9 not found (unplugged by the test)");
            }
            inner.open();
        }

        @Override
        public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
            if (down.get()) {
                throw new SourceException("camera /dev/video9 stopped delivering frames");
            }
            return inner.grab(alloc);
        }
    }

    private static boolean live(MultipartStreamReader.Part part) {
        return Frames.live(part.body(), WIDTH);
    }

    @Test
    void streamsSurviveTheSourceGoingAndComingBack() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), 30, 80, 4);
        FlakySource source = new FlakySource(FrameSources.create(capture));
        List<String> losses = new CopyOnWriteArrayList<>();
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), capture,
                source, PooledByteBufAllocator.DEFAULT);
                StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
            server.server().onSourceLoss(losses::add);
            assertTrue(live(client.next()));

            source.down.set(true);
            // Distinct frames, not parts: the stream repeats its newest frame, so one NO SIGNAL frame sent again
            // would count as many parts.
            Set<Long> noSignalFrames = new TreeSet<>();
            Set<String> noSignalTimes = new TreeSet<>();
            long lastSequence = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < 200 && noSignalFrames.size() < 3 && System.nanoTime() < deadline; i++) {
                MultipartStreamReader.Part part = client.next();
                assertTrue(part.sequence() >= lastSequence, "sequence numbers never go back");
                lastSequence = part.sequence();
                if (!live(part)) {
                    noSignalFrames.add(part.sequence());
                    noSignalTimes.add(part.timestamp());
                }
            }
            assertEquals(3, noSignalFrames.size(), "new NO SIGNAL frames about once a second (3 within 30 s): " + noSignalFrames);
            assertEquals(3, noSignalTimes.size(), "each drawn anew: " + noSignalTimes);
            assertEquals(List.of("camera /dev/video9 stopped delivering frames"), losses);

            HttpResponse<String> health = Http.getText(server.url("/healthz"));
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("source test pattern is down: camera /dev/video9"), health.body());
            JsonNode state = new ObjectMapper().readTree(Http.getText(server.url("/state")).body());
            assertEquals(false, state.get("source").get("online").asBoolean());
            assertTrue(state.get("source").get("noSignalFrames").asLong() >= 3);
            assertEquals(1, state.get("clients").size(), "the stream is still open");

            source.down.set(false);
            boolean back = false;
            for (int i = 0; i < 100 && !back; i++) {
                back = live(client.next());
            }
            assertTrue(back, "live frames again on the same connection");
            assertTrue(Http.eventually(java.time.Duration.ofSeconds(5),
                    () -> server.server().captureStats().online()));
            assertEquals(200, Http.get(server.url("/healthz")).statusCode());
            assertTrue(ObserveTest.value(Http.getText(server.url("/metrics")).body(), "mjpeg_source_reconnects_total{feed=\"default\"}") >= 1);
        }
    }
}
