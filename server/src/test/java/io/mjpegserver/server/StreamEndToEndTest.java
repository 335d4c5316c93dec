package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.TestPatternServer;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real server on a free port, read by plain sockets that check every byte and decode every frame. */
class StreamEndToEndTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    @RegisterExtension
    static final TestPatternServer server = new TestPatternServer(WIDTH, HEIGHT, 30);

    @Test
    void twentyConcurrentClientsDecodeEveryFrameInOrder() throws Exception {
        int clients = 20;
        int frames = 30;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    List<Long> numbers = new ArrayList<>();
                    try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                        assertEquals("HTTP/1.1 200 OK", client.reader().statusLine());
                        assertTrue(client.reader().chunked());
                        assertEquals(ServerFixture.BOUNDARY, client.reader().boundary());
                        for (int i = 0; i < frames; i++) {
                            MultipartStreamReader.Part part = client.next();
                            long burned = Frames.frameNumber(part.body(), WIDTH, HEIGHT);
                            assertEquals(part.sequence(), burned, "X-Frame-Sequence names the frame it heads");
                            numbers.add(burned);
                        }
                    }
                    return numbers;
                }));
            }
            for (Future<List<Long>> result : results) {
                List<Long> numbers = result.get(60, TimeUnit.SECONDS);
                assertEquals(frames, numbers.size());
                for (int i = 1; i < numbers.size(); i++) {
                    assertTrue(numbers.get(i) > numbers.get(i - 1), "frame numbers increase: " + numbers);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void http10ClientsGetTheRawStream() throws Exception {
        for (String path : List.of("/stream", "/stream.mjpg", "/?action=stream")) {
            try (StreamClient client = StreamClient.open(server.port(), path, "1.0")) {
                MultipartStreamReader reader = client.reader();
                assertEquals("HTTP/1.0 200 OK", reader.statusLine());
                assertFalse(reader.chunked());
                assertEquals("close", reader.headers().get("connection"));
                long previous = 0;
                for (int i = 0; i < 5; i++) {
                    MultipartStreamReader.Part part = client.next();
                    long number = Frames.frameNumber(part.body(), WIDTH, HEIGHT);
                    assertTrue(number > previous);
                    previous = number;
                }
            }
        }
    }

    @Test
    void framesLargerThanTheWriteBufferAreSentOnceEach() throws Exception {
        // 1080p at quality 100: parts well over the write buffer's water marks.
        CaptureConfig big = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1920, 1080), 30, 100, 4);
        try (ServerFixture fixture = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), big);
                StreamClient client = StreamClient.open(fixture.port(), "/stream", "1.1")) {
            long previous = client.next().sequence();
            int largest = 0;
            for (int i = 0; i < 40; i++) {
                MultipartStreamReader.Part part = client.next();
                largest = Math.max(largest, part.body().length);
                assertTrue(part.sequence() > previous, "part " + part.sequence() + " after " + previous + ": sent twice");
                previous = part.sequence();
            }
            assertTrue(largest > 64 * 1024, "the parts were larger than the old fixed 64 KiB mark: " + largest);
        }
    }

    @Test
    void aSlowSourcesNewestFrameIsSentAgainAboutEverySecond() throws Exception {
        // One new frame every 5 s: the parts in between repeat it (Chrome paints a part only when the next begins).
        CaptureConfig slow = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), 0.2, 80, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).build();
        List<Double> repeatGaps = new ArrayList<>();
        try (ServerFixture fixture = ServerFixture.start(config, slow);
                StreamClient client = StreamClient.open(fixture.port(), "/stream", "1.1")) {
            MultipartStreamReader.Part previous = client.next();
            long previousAt = System.nanoTime();
            long deadline = previousAt + TimeUnit.SECONDS.toNanos(30);
            while (repeatGaps.size() < 5 && System.nanoTime() < deadline) {
                MultipartStreamReader.Part part = client.next();
                long at = System.nanoTime();
                assertTrue(part.sequence() >= previous.sequence(), "sequence numbers never go back");
                if (part.sequence() == previous.sequence()) {
                    assertEquals(previous.timestamp(), part.timestamp(), "a repeat is the same frame");
                    assertArrayEquals(previous.body(), part.body(), "a repeat is the same frame, byte for byte");
                    repeatGaps.add((at - previousAt) / 1e9);
                }
                previous = part;
                previousAt = at;
            }
        }
        assertTrue(repeatGaps.size() >= 3, "the newest frame was sent again " + repeatGaps.size() + " times in 30 s");
        // About a second, as the client saw it: the median, so that one late read on a busy machine cannot decide.
        List<Double> sorted = repeatGaps.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        System.out.printf("repeat gaps (s): %s, median %.3f%n", repeatGaps, median);
        // The loop looks every quarter of the 1 s repeat interval: 1 to 1.25 s, and a margin for a busy machine.
        assertTrue(median >= 0.7 && median <= 1.75, "the newest frame is sent again every " + median + " s: " + repeatGaps);
    }
}
