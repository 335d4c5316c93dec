package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A relayed feed whose upstream misbehaves a different way on every connection (garbage, a part far over the
 * size cap, a stall mid-frame, a close mid-frame, the wrong boundary), beside a feed on the test pattern: the
 * server stays up, the other feed keeps its rate, each misdeed is named in {@code /state}, the relayed feed's
 * clients get NO SIGNAL frames on their open connections, and direct memory stays bounded.
 */
class HostileUpstreamFeedTest {

    private static final int FPS = 15;
    private static final Duration WINDOW = Duration.ofSeconds(15);
    /** The longest the relay may take to meet every misdeed (the backoff reaches 5 s): then each must be named. */
    private static final Duration ALL_MET = Duration.ofSeconds(60);
    private static final List<String> MISDEEDS = List.of("garbage", "oversized", "stall", "cut", "boundary");
    /** Words of the reason each misdeed earns in /state (a stall: the relay's read timeout, or the watchdog's). */
    private static final Map<String, List<String>> NAMED = Map.of(
            "garbage", List.of("bytes without the boundary '--frame'"),
            "oversized", List.of("sent a part of 100000000 bytes, over the limit"),
            "stall", List.of("sent nothing for", "it sends nothing"),
            "cut", List.of("closed the connection mid-frame"),
            "boundary", List.of("uses the boundary '--other'"));

    @Test
    void aHostileUpstreamHurtsNothingButItsOwnFeed() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Future<?> serving = pool.submit(() -> serveMisdeeds(upstream, connections, pool));
            FeedConfig good = new FeedConfig("good", new CaptureConfig(new SourceSpec.TestPattern(),
                    new VideoSize(320, 240), FPS, 80, 4), CaptureOptions.DEFAULTS);
            FeedConfig bad = new FeedConfig("bad", new CaptureConfig(new SourceSpec.Url(URI.create("http://127.0.0.1:"
                    + upstream.getLocalPort() + "/video.mjpg")), new VideoSize(320, 240), 0, 80, 4), CaptureOptions.DEFAULTS);
            try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                    List.of(good, bad))) {
                AtomicLong goodFrames = new AtomicLong();
                AtomicLong badParts = new AtomicLong();
                Future<?> goodClient = pool.submit(StreamClient.counting(server.port(), "/cam/good/stream", goodFrames));
                Future<?> badClient = pool.submit(StreamClient.counting(server.port(), "/cam/bad/stream", badParts));
                assertTrue(Http.eventually(Duration.ofSeconds(20), () -> goodFrames.get() > 0 && badParts.get() > 0));

                Set<String> reasons = ConcurrentHashMap.newKeySet();
                long before = goodFrames.get();
                long started = System.nanoTime();
                long peakDirect = 0;
                // The window, and on until every misdeed has been met and named (or ALL_MET has passed).
                while (System.nanoTime() - started < WINDOW.toNanos() || !unnamed(reasons).isEmpty()
                        && System.nanoTime() - started < ALL_MET.toNanos()) {
                    JsonNode feeds = new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("feeds");
                    JsonNode source = feeds.get(1).get("source");
                    if (source.hasNonNull("lastError")) {
                        reasons.add(source.get("lastError").asText());
                    }
                    peakDirect = Math.max(peakDirect, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                double goodFps = (goodFrames.get() - before) / seconds;
                System.out.printf("hostile upstream: %d connections, %d distinct reasons %s; good feed %.1f fps of %d;"
                        + " %d parts to the bad feed's client; pool direct memory peak %d MB%n", connections.get(),
                        reasons.size(), reasons, goodFps, FPS, badParts.get(), peakDirect >> 20);
                assertTrue(goodFps >= FPS * 0.7, "the good feed kept its rate: " + goodFps);
                assertEquals(List.of(), unnamed(reasons), "each misdeed named, in " + connections.get()
                        + " connections: " + reasons);
                assertTrue(reasons.stream().allMatch(r -> r.contains("http://127.0.0.1:" + upstream.getLocalPort())),
                        "each reason names the upstream: " + reasons);
                assertTrue(badParts.get() >= 5, "the bad feed's client got NO SIGNAL frames meanwhile: " + badParts.get());
                assertTrue(peakDirect < 96L << 20, "direct memory bounded: " + (peakDirect >> 20) + " MB");
                assertEquals(200, Http.get(server.url("/cam/good/healthz")).statusCode());
                assertEquals(2, server.server().streamClients().size(), "both clients still connected");
                goodClient.cancel(true);
                badClient.cancel(true);
            }
            upstream.close();
            serving.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    /** The misdeeds none of {@code reasons} names. */
    private static List<String> unnamed(Set<String> reasons) {
        return MISDEEDS.stream().filter(misdeed -> reasons.stream().noneMatch(reason -> NAMED.get(misdeed).stream()
                .anyMatch(reason::contains))).toList();
    }

    /** Each connection gets the next misdeed, in turn, until the socket is closed. */
    private static Void serveMisdeeds(ServerSocket upstream, AtomicInteger connections, ExecutorService pool) {
        while (!upstream.isClosed()) {
            try {
                Socket socket = upstream.accept();
                String misdeed = MISDEEDS.get(connections.getAndIncrement() % MISDEEDS.size());
                pool.submit(() -> misbehave(socket, misdeed));
            } catch (IOException closed) {
                return null;
            }
        }
        return null;
    }

    private static Void misbehave(Socket socket, String misdeed) {
        try (socket) {
            socket.setSoTimeout(30_000);
            socket.getInputStream().read(new byte[4096]);
            OutputStream out = socket.getOutputStream();
            String head = "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n";
            switch (misdeed) {
                case "garbage" -> {
                    out.write(head.getBytes(US_ASCII));
                    byte[] noise = new byte[256 * 1024];
                    new java.util.Random(1).nextBytes(noise);
                    out.write(noise);
                }
                case "oversized" -> {
                    out.write((head + "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 100000000\r\n\r\n")
                            .getBytes(US_ASCII));
                    byte[] chunk = new byte[1 << 20];
                    chunk[0] = (byte) 0xFF;
                    chunk[1] = (byte) 0xD8;
                    for (int i = 0; i < 12; i++) {
                        out.write(chunk);
                        chunk[0] = 0;
                        chunk[1] = 0;
                    }
                }
                case "stall" -> {
                    out.write((head + "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n").getBytes(US_ASCII));
                    out.write(new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 0});
                    out.flush();
                    // Silence, until the relay gives up and closes.
                    socket.getInputStream().read();
                }
                case "cut" -> {
                    out.write((head + "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n").getBytes(US_ASCII));
                    out.write(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
                }
                default -> {
                    out.write(head.getBytes(US_ASCII));
                    out.write(("--other\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\n").getBytes(US_ASCII));
                    out.write(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9});
                    out.write(new byte[64 * 1024]);
                }
            }
            out.flush();
        } catch (IOException closedByTheRelay) {
            // The relay gave up on us: as it should.
        }
        return null;
    }
}
