package io.mjpegserver.server;

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
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-client delivery over real sockets: {@code ?fps=}, time-shifted and waiting snapshots, bad queries. */
class ClientDeliveryTest {

    private static final double FPS = 30;
    private static ServerFixture server;

    @BeforeAll
    static void start() throws Exception {
        FeedConfig feed = new FeedConfig(FeedConfig.DEFAULT_NAME, new CaptureConfig(new SourceSpec.TestPattern(),
                new VideoSize(320, 240), FPS, 80, 4), new CaptureOptions(false, CaptureOptions.DEFAULT_IDLE_GRACE, false, 1.5));
        server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), List.of(feed));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Parts per second a client reads over {@code seconds}, from its first part to its last. */
    private static double rate(String path, double seconds) throws Exception {
        try (StreamClient client = StreamClient.open(server.port(), path, "1.1")) {
            client.next();
            long first = System.nanoTime();
            long last = first;
            int parts = 0;
            long end = first + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                client.next();
                last = System.nanoTime();
                parts++;
            }
            return parts / ((last - first) / 1e9);
        }
    }

    @Test
    void fpsLimitsOneClientWhileAnotherGetsEveryFrame() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Double> limited = pool.submit(() -> rate("/stream?fps=5", 4));
            Future<Double> limitedUnderFeed = pool.submit(() -> rate("/cam/default/stream.mjpg?fps=5&resolution=640x480", 4));
            Future<Double> plain = pool.submit(() -> rate("/stream", 4));
            // Decimation shows in /state while they stream.
            assertTrue(Http.eventually(Duration.ofSeconds(10), () -> {
                JsonNode clients = state().get("clients");
                for (JsonNode client : clients) {
                    if (client.get("requestedFps").asDouble() == 5 && client.get("framesDecimated").asLong() > 10) {
                        return true;
                    }
                }
                return false;
            }), "a ?fps=5 client with decimated frames in /state: " + state());
            double five = limited.get(20, TimeUnit.SECONDS);
            double fiveUnderFeed = limitedUnderFeed.get(20, TimeUnit.SECONDS);
            double all = plain.get(20, TimeUnit.SECONDS);
            System.out.printf("fps=5: %.2f and %.2f fps; plain: %.2f fps%n", five, fiveUnderFeed, all);
            assertTrue(five >= 4 && five <= 6, "?fps=5 gave " + five);
            assertTrue(fiveUnderFeed >= 4 && fiveUnderFeed <= 6, "/cam/default ?fps=5 gave " + fiveUnderFeed);
            assertTrue(all >= 15, "the plain client gave " + all + " (expected about 30)");
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static JsonNode state() {
        try {
            return new ObjectMapper().readTree(Http.getText(server.url("/state")).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long sequence(HttpResponse<?> response) {
        return Long.parseLong(response.headers().firstValue("X-Frame-Sequence").orElseThrow());
    }

    private static double timestamp(HttpResponse<?> response) {
        return Double.parseDouble(response.headers().firstValue("X-Timestamp").orElseThrow());
    }

    @Test
    void atReturnsTheFrameFromThatLongAgo() throws Exception {
        assertTrue(Http.eventually(Duration.ofSeconds(10), () -> server.server().ring().published() > 2 * FPS));
        HttpResponse<byte[]> newest = Http.get(server.url("/snapshot"));
        double asked = System.currentTimeMillis() / 1000.0;
        HttpResponse<byte[]> past = Http.get(server.url("/cam/default/snapshot?at=-1"));
        double answered = System.currentTimeMillis() / 1000.0;
        assertEquals(200, past.statusCode(), new String(past.body()));
        assertEquals("image/jpeg", past.headers().firstValue("Content-Type").orElseThrow());
        double age = asked - timestamp(past);
        // The newest frame at or before one second ago: at least 1 s old (when answered), not much more.
        assertTrue(answered - timestamp(past) >= 0.99 && age <= 1.5, "frame age " + age);
        long behind = sequence(newest) - sequence(past);
        assertTrue(behind >= 10 && behind <= 45, "at=-1 is " + behind + " frames behind the newest");
    }

    @Test
    void seqReturnsExactlyThatFrameWhileTheRingHoldsIt() throws Exception {
        assertTrue(Http.eventually(Duration.ofSeconds(10), () -> server.server().ring().published() > 10));
        long newest = sequence(Http.get(server.url("/snapshot")));
        HttpResponse<byte[]> exact = Http.get(server.url("/snapshot?seq=" + (newest - 5)));
        assertEquals(200, exact.statusCode(), new String(exact.body()));
        assertEquals(newest - 5, sequence(exact));
        HttpResponse<String> future = Http.getText(server.url("/snapshot?seq=" + (newest + 100_000)));
        assertEquals(404, future.statusCode());
        assertTrue(future.body().contains("is not captured yet"), future.body());
        // Frame 1 leaves the 1.5 s ring once enough newer frames came.
        assertTrue(Http.eventually(Duration.ofSeconds(20), () -> server.server().ring().published() > 4 * FPS));
        HttpResponse<String> gone = Http.getText(server.url("/snapshot?seq=1"));
        assertEquals(404, gone.statusCode());
        assertTrue(gone.body().contains("frame 1 of feed default is gone"), gone.body());
        assertEquals(1, gone.body().lines().count());
        HttpResponse<String> tooFar = Http.getText(server.url("/snapshot?at=-10"));
        assertEquals(404, tooFar.statusCode());
        assertTrue(tooFar.body().contains("from 10.0 s ago is left in the ring"), tooFar.body());
    }

    @Test
    void waitReturnsTheNextNewFrame() throws Exception {
        assertTrue(Http.eventually(Duration.ofSeconds(10), () -> server.server().ring().published() > 0));
        for (int i = 0; i < 3; i++) {
            long newest = sequence(Http.get(server.url("/snapshot")));
            HttpResponse<byte[]> next = Http.get(server.url("/cam/default/snapshot.jpg?wait=1"));
            assertEquals(200, next.statusCode());
            assertTrue(sequence(next) > newest, sequence(next) + " after " + newest);
        }
    }

    /**
     * GET {@code path} over a raw socket, bounded (a query wrongly accepted on a stream path would stream
     * forever): the status line and the body (the first 16 KiB).
     */
    private static String[] rawGet(String path) throws Exception {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[16 * 1024];
            int length = 0;
            InputStream in = socket.getInputStream();
            for (int n; length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0; ) {
                length += n;
            }
            String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            return new String[] {text.substring(0, text.indexOf("\r\n")), headEnd < 0 ? "" : text.substring(headEnd + 4)};
        }
    }

    @Test
    void badQueriesGet400WithWhatIsExpected() throws Exception {
        String[][] cases = {
                {"/stream?fps=abc", "fps=abc is not a frame rate (expected: fps=N, N frames per second from 0.1 to 240)"},
                {"/cam/default/stream?fps=0", "fps=0 is not a frame rate"},
                {"/?action=stream&fps=241", "fps=241 is not a frame rate"},
                {"/stream?fps=5&fps=6", "fps given 2 times (expected: once)"},
                {"/snapshot?at=+3", "is not a time in the past (expected: at=-SECONDS"},
                {"/snapshot?at=3", "at=3 is not a time in the past"},
                {"/snapshot?at=soon", "at=soon is not a time in the past"},
                {"/snapshot?seq=-1", "seq=-1 is not a frame sequence (expected: seq=N"},
                {"/snapshot?seq=x", "seq=x is not a frame sequence"},
                {"/cam/default/snapshot?wait=2", "wait=2 is not 0 or 1 (expected: wait=1 to wait for the next new frame)"},
                {"/snapshot?at=-1&seq=4", "at and seq both given"},
                {"/snapshot?wait=1&seq=4", "wait=1 asks for the next frame"},
        };
        for (String[] c : cases) {
            String[] answer = rawGet(c[0]);
            assertEquals("HTTP/1.1 400 Bad Request", answer[0], c[0] + ": " + answer[1]);
            assertTrue(answer[1].startsWith("400 Bad Request: ") && answer[1].contains(c[1]), c[0] + ": " + answer[1]);
            assertEquals(1, answer[1].lines().count(), c[0] + ": " + answer[1]);
        }
        // Unknown parameters are ignored.
        assertEquals(200, Http.get(server.url("/snapshot?user=admin&resolution=640x480")).statusCode());
    }
}
