package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartUpstream;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.server.testing.StreamClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds whose frames alone would exhaust the shipped JVM's direct memory ({@code server/src/deb/jvm.options}:
 * 192 MiB), each in the real command in a JVM of its own: the feed's memory budget holds them, the process stays
 * up, and a normal feed beside keeps its rate. Figures are printed for the README and the notes.
 */
class MemoryBudgetTest {

    private static final int FPS = 30;
    private static final Duration WINDOW = Duration.ofSeconds(15);
    private static final int STALLED = 120;
    /** Just under the relay's default cap of 8 MiB a part. */
    private static final int PART = 8 * 1024 * 1024 - 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The shipped JVM options, one per line, comments and blank lines left out. */
    static List<String> shippedJvmOptions() throws IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("src/deb/jvm.options"))) {
            String option = line.strip();
            if (!option.isEmpty() && !option.startsWith("#")) {
                options.add(option);
            }
        }
        assertTrue(options.contains("-XX:MaxDirectMemorySize=192m"), "the shipped options: " + options);
        return options;
    }

    /**
     * A relay whose upstream sends 8 MiB parts at up to 30 fps, keeping its newest 40 frames (320 MiB) and 5 s of them
     * in its ring for {@code ?at=}: its budget keeps the ring to what fits, the oldest frames going first.
     */
    @Test
    void aRelayOfHugePartsStaysWithinItsBudgetBesideANormalFeed(@TempDir Path dir) throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (MultipartUpstream upstream = hugeParts()) {
            Path config = dir.resolve("feeds.yaml");
            Files.writeString(config, "feeds:\n"
                    + "  normal: { test-pattern: true, size: 320x240, fps: " + FPS + " }\n"
                    + "  huge: { url: " + upstream.url() + ", ring-size: 40, ring-seconds: 5 }\n");
            try (ServerProcess server = ServerProcess.start(dir, shippedJvmOptions(), "/state", "--config",
                    config.toString())) {
                AtomicLong normalFrames = new AtomicLong();
                Future<?> reader = pool.submit(StreamClient.counting(server.port(), "/cam/normal/stream", normalFrames));
                assertTrue(Http.eventually(Duration.ofSeconds(20), () -> normalFrames.get() > FPS), "the normal feed streams");
                long before = direct(server);

                upstream.send();
                long fromFrames = normalFrames.get();
                long started = System.nanoTime();
                long peak = 0;
                long peakFeed = 0;
                JsonNode huge = null;
                JsonNode hugeSource = null;
                double hugeFps = 0;
                while (System.nanoTime() - started < WINDOW.toNanos() && server.process().isAlive()) {
                    JsonNode state = state(server);
                    peak = Math.max(peak, state.get("server").get("directMemoryBytes").asLong());
                    huge = state.get("feeds").get(1).get("memory");
                    hugeSource = state.get("feeds").get(1).get("source");
                    hugeFps = Math.max(hugeFps, hugeSource.get("actualFps").asDouble());
                    peakFeed = Math.max(peakFeed, huge.get("usedBytes").asLong());
                    TimeUnit.MILLISECONDS.sleep(200);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                double normalFps = (normalFrames.get() - fromFrames) / seconds;
                assertTrue(server.process().isAlive(), "the server died: see " + dir.resolve("server.err"));
                upstream.close();
                long after = settledDirect(server);
                System.out.printf("budget: relay of %d MiB parts (sent at up to %d fps, read at up to %.1f) beside a 320x240 feed, under -XX:MaxDirectMemorySize"
                        + "=192m: direct memory %d MiB before, %d MiB at the peak, %d MiB after; the huge feed's frames"
                        + " peaked at %d MiB of its %d MiB budget, %d frames dropped early; the normal client got"
                        + " %.1f fps%n", 8, FPS, hugeFps, before >> 20, peak >> 20, after >> 20,
                        peakFeed >> 20, huge.get("budgetBytes").asLong() >> 20, huge.get("framesDropped").asLong(),
                        normalFps);
                // Out of direct memory, the relay could not take the next part and went down (NO SIGNAL, reconnects).
                assertTrue(!hugeSource.get("lastError").asText().contains("OutOfMemoryError"),
                        "the huge feed had the memory it needed: " + hugeSource);
                assertTrue(huge.get("framesDropped").asLong() > 0, "the ring dropped frames for the budget: " + huge);
                assertTrue(peakFeed <= huge.get("budgetBytes").asLong() + 9L * 1024 * 1024,
                        "the huge feed's frames stayed within its budget and a frame: " + peakFeed);
                // The normal feed keeps its rate, with the margin a loaded 2-core machine needs.
                assertTrue(normalFps >= FPS * 0.5, "the normal client got " + normalFps + " fps");
                reader.cancel(true);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * Stream clients that connect, read the headers and never read again, joining over 12 s, each pinning the frame
     * it joined on for the client timeout (30 s here): 120 of them on 8 MiB frames pin a frame for each frame
     * published meanwhile, over 250 MiB at 3 fps. The budget closes those that hold the oldest frames once the frames do not
     * fit; the process stays up and serves on.
     */
    @Test
    void stalledStreamClientsAreClosedBeforeTheyPinMoreThanTheBudget(@TempDir Path dir) throws Exception {
        List<SocketChannel> stalled = new ArrayList<>();
        try (MultipartUpstream upstream = hugeParts();
                ServerProcess server = ServerProcess.start(dir, shippedJvmOptions(), "/state", "--url", upstream.url(),
                        "--ring-seconds", "0", "--client-timeout", "30")) {
            long before = direct(server);
            upstream.send();
            try (StreamClient first = StreamClient.open(server.port(), "/stream", "1.1")) {
                first.next();
            }
            long peak = 0;
            for (int i = 0; i < STALLED && server.process().isAlive(); i++) {
                SocketChannel channel = SocketChannel.open();
                stalled.add(channel);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                channel.connect(new InetSocketAddress("127.0.0.1", server.port()));
                channel.write(ByteBuffer.wrap("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII)));
                // The pace of arrivals (one every 100 ms), not synchronisation.
                TimeUnit.MILLISECONDS.sleep(100);
                if (i % 5 == 0) {
                    peak = Math.max(peak, direct(server));
                }
            }
            JsonNode memory = null;
            JsonNode source = null;
            long joined = System.nanoTime();
            while (System.nanoTime() - joined < TimeUnit.SECONDS.toNanos(8) && server.process().isAlive()) {
                JsonNode state = state(server);
                peak = Math.max(peak, state.get("server").get("directMemoryBytes").asLong());
                memory = state.get("feeds").get(0).get("memory");
                source = state.get("feeds").get(0).get("source");
                TimeUnit.MILLISECONDS.sleep(200);
            }
            assertTrue(server.process().isAlive(), "the server died: see " + dir.resolve("server.err"));
            assertTrue(memory != null, "the server answered /state");
            assertTrue(!source.get("lastError").asText().contains("OutOfMemoryError"),
                    "the feed had the memory it needed: " + source);
            for (SocketChannel channel : stalled) {
                channel.close();
            }
            // Still serving: a new client gets a whole frame.
            try (StreamClient after = StreamClient.open(server.port(), "/stream", "1.1")) {
                assertTrue(after.next().body().length == PART, "a whole frame");
            }
            upstream.close();
            long after = settledDirect(server);
            System.out.printf("budget: " + STALLED + " stalled HTTP/1.1 stream clients on 8 MiB frames at up to %d fps, under"
                    + " -XX:MaxDirectMemorySize=192m: direct memory %d MiB before, %d MiB at the peak, %d MiB after;"
                    + " %d clients closed by the budget (%s)%n", FPS, before >> 20, peak >> 20, after >> 20,
                    memory.get("clientsClosed").asLong(), memory);
            assertTrue(memory.get("clientsClosed").asLong() > 0, "the budget closed the oldest pinners: " + memory);
            String metrics = Http.getText(server.url("/metrics")).body();
            assertTrue(metrics.contains("mjpeg_budget_clients_closed_total{feed=\"default\"} "
                    + (double) memory.get("clientsClosed").asLong()), metrics);
            assertTrue(metrics.contains("mjpeg_direct_memory_bytes "), metrics);
        } finally {
            for (SocketChannel channel : stalled) {
                channel.close();
            }
        }
    }

    /** A camera of {@link #PART}-byte JPEGs at {@link #FPS}, silent after its headers until {@code send()}. */
    private static MultipartUpstream hugeParts() throws IOException {
        return MultipartUpstream.builder().body(MultipartUpstream.padded(PART)).fps(FPS).waitForSend().start();
    }

    private static JsonNode state(ServerProcess server) throws IOException, InterruptedException {
        return JSON.readTree(Http.getText(server.url("/state")).body());
    }

    private static long direct(ServerProcess server) throws IOException, InterruptedException {
        return state(server).get("server").get("directMemoryBytes").asLong();
    }

    /** Direct memory once the feed has gone quiet: its lowest over 3 s. */
    private static long settledDirect(ServerProcess server) throws IOException, InterruptedException {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 15; i++) {
            lowest = Math.min(lowest, direct(server));
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return lowest;
    }
}
