package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.server.feed.FeedConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * An on-demand relayed feed goes to sleep, then wakes for a new client, its upstream answering only
 * {@link #ANSWER_DELAY} after each connect, as cameras do: neither the new stream client nor a snapshot taken while
 * it wakes gets the frame from before the sleep; each gets a frame captured after it asked (or a placeholder that
 * says so), and {@code ?at=} for a moment of the sleep finds nothing.
 */
class FreshAfterSleepTest {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long ANSWER_DELAY = 2_000;
    private static final int WIDTH = 64;

    @Test
    void aWakingFeedNeverServesTheFrameFromBeforeItSlept() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        byte[] jpeg = jpeg();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            pool.submit(() -> serve(upstream, jpeg, pool));
            FeedConfig onDemand = new FeedConfig("porch", new CaptureConfig(new SourceSpec.Url(URI.create(
                    "http://127.0.0.1:" + upstream.getLocalPort() + "/video.mjpg")), null, 0, 80, 16),
                    new CaptureOptions(true, GRACE, false));
            try (ServerFixture relay = ServerFixture.start(ServerConfig.defaults().withHost("127.0.0.1").withPort(0),
                    List.of(onDemand))) {
                long lastBeforeSleep;
                try (StreamClient client = StreamClient.open(relay.port(), "/cam/porch/stream", "1.1")) {
                    MultipartStreamReader.Part part = firstLive(client);
                    lastBeforeSleep = part.sequence();
                    for (int i = 0; i < 3; i++) {
                        lastBeforeSleep = client.next().sequence();
                    }
                }
                assertTrue(Http.eventually(WAIT, () -> idle(relay)), "the feed goes to sleep after its grace");
                long asleepNanos = System.nanoTime();
                TimeUnit.MILLISECONDS.sleep(1_500); // asleep for a while, as a feed is at night

                double connected = wallSeconds();
                try (StreamClient client = StreamClient.open(relay.port(), "/cam/porch/stream", "1.1")) {
                    assertTrue(Http.eventually(WAIT, () -> !idle(relay)), "the client wakes the feed");
                    // Awake, its upstream not answering yet: a snapshot now must wait for a frame of now.
                    double asked = wallSeconds();
                    HttpResponse<byte[]> snapshot = Http.get(relay.url("/cam/porch/snapshot"));
                    assertEquals(200, snapshot.statusCode());
                    double taken = Double.parseDouble(snapshot.headers().firstValue("X-Timestamp").orElseThrow());
                    assertTrue(taken >= asked - 0.05, String.format(Locale.ROOT,
                            "the snapshot is a frame of after the request (%.3f), not from before the sleep: %.3f", asked,
                            taken));
                    assertTrue(snapshot.headers().firstValue("X-Source-Online").isPresent(), "it says whether it is live");

                    MultipartStreamReader.Part first = client.next();
                    assertTrue(first.sequence() > lastBeforeSleep, "the stream's first part is not the frame from"
                            + " before the sleep: " + first.sequence() + " <= " + lastBeforeSleep);
                    double stamped = Double.parseDouble(first.timestamp());
                    assertTrue(stamped >= connected - 0.05, String.format(Locale.ROOT,
                            "the first part was captured after the client came (%.3f): %.3f", connected, stamped));
                    MultipartStreamReader.Part live = first;
                    while (!"true".equals(live.headers().get("x-source-online"))) {
                        assertEquals("false", live.headers().get("x-source-online"), "a placeholder says so");
                        live = client.next();
                    }
                    assertEquals(WIDTH, ImageIO.read(new ByteArrayInputStream(live.body())).getWidth());

                    // A moment of the sleep: the frame from before it is not what the feed showed then.
                    double back = (System.nanoTime() - asleepNanos) / 1e9 - 0.5;
                    int status = Http.get(relay.url("/cam/porch/snapshot?at=-" + String.format(Locale.ROOT, "%.3f", back)))
                            .statusCode();
                    assertEquals(404, status, "?at= into the sleep finds nothing");
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    private static MultipartStreamReader.Part firstLive(StreamClient client) throws IOException {
        for (int i = 0; i < 200; i++) {
            MultipartStreamReader.Part part = client.next();
            if (ImageIO.read(new ByteArrayInputStream(part.body())).getWidth() == WIDTH) {
                return part;
            }
        }
        throw new AssertionError("no frame of the upstream's");
    }

    private static double wallSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static boolean idle(ServerFixture relay) {
        try {
            return new ObjectMapper().readTree(Http.getText(relay.url("/state")).body()).get("feeds").get(0)
                    .get("source").get("idle").asBoolean();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] jpeg() throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, 48, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    /** Each connection: the request, {@link #ANSWER_DELAY} of silence, then a part every 100 ms until it breaks. */
    private static Void serve(ServerSocket upstream, byte[] jpeg, ExecutorService pool) {
        while (!upstream.isClosed()) {
            Socket socket;
            try {
                socket = upstream.accept();
            } catch (IOException closed) {
                return null;
            }
            pool.submit(() -> {
                try (socket) {
                    InputStream in = socket.getInputStream();
                    in.read(new byte[4096]);
                    TimeUnit.MILLISECONDS.sleep(ANSWER_DELAY);
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n"
                            .getBytes(US_ASCII));
                    for (int i = 0; i < 3_000; i++) {
                        out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                                .getBytes(US_ASCII));
                        out.write(jpeg);
                        out.write("\r\n".getBytes(US_ASCII));
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(100);
                    }
                } catch (IOException | InterruptedException gone) {
                    // the relay closed the connection: the feed went to sleep
                }
                return null;
            });
        }
        return null;
    }
}
