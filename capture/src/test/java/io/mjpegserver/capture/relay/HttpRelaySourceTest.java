package io.mjpegserver.capture.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP relay against a test upstream that writes each layout real cameras use, and each bad one. */
class HttpRelaySourceTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<byte[]> JPEGS = TestJpegs.make(6, 160, 120);

    @RegisterExtension
    static final RelayLoops relays = new RelayLoops();

    static MjpegDialect[] dialects() {
        return MjpegDialect.all().toArray(MjpegDialect[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void relaysEveryLayoutAsWholeJpegSlices(MjpegDialect dialect) throws Exception {
        try (TestUpstream upstream = streaming(dialect, JPEGS, 7)) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("/video.mjpg"), RelayOptions.DEFAULTS);
            source.open(sink);
            // Without Content-Length, the last part sent ends only at a boundary that never comes.
            List<byte[]> frames = sink.take(JPEGS.size() - 1, WAIT);
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(JPEGS.get(i), frames.get(i), "frame " + i + " byte for byte");
                TestJpegs.decode(frames.get(i));
            }
            assertEquals(0, sink.notSlices.get(), "every frame is a slice of the relay's read buffer");
            assertTrue(sink.sharedBuffers.get() > 0, "frames share read buffers, not one buffer each");
            assertTrue(upstream.requests.get(0).startsWith("GET /video.mjpg HTTP/1.1\r\n"), upstream.requests.get(0));
            assertTrue(upstream.requests.get(0).contains("\r\nHost: 127.0.0.1:" + upstream.port() + "\r\n"));

            source.close();
            eventually(() -> upstream.finished.get() == 1, "the upstream sees the relay disconnect");
            assertEquals(1, upstream.connections.get(), "one upstream connection");
            assertEquals(0, sink.failures.get(), "close() is not reported as a failure");
        }
    }

    @Test
    void aShortBoundaryInsideAJpegIsNotAPartEnd() throws Exception {
        // A one-letter boundary and no Content-Length: the bytes "--b" inside a frame, not at a line start or not
        // followed by a line end, must not end the part (noise JPEGs of some size hold them by chance too).
        List<byte[]> jpegs = List.of(
                TestJpegs.withComment(JPEGS.get(0), "x--b\r\n"),
                TestJpegs.withComment(JPEGS.get(1), "\n--bb\r\n"),
                TestJpegs.withComment(JPEGS.get(2), "\n--b:\n--b\u0000"),
                JPEGS.get(3));
        MjpegDialect dialect = new MjpegDialect("short", true, "multipart/x-mixed-replace;boundary=b", "--b", "\r\n",
                null, true, "", "");
        try (TestUpstream upstream = streaming(dialect, jpegs, 9)) {
            RecordingSink sink = new RecordingSink();
            relays.relay(upstream.uri("/video"), RelayOptions.DEFAULTS).open(sink);
            List<byte[]> frames = sink.take(3, WAIT);
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(jpegs.get(i), frames.get(i), "frame " + i);
                TestJpegs.decode(frames.get(i));
            }
        }
    }

    @Test
    void pollsASnapshotUrlOnOneKeepAliveConnection() throws Exception {
        try (TestUpstream upstream = new TestUpstream(exchange -> {
            for (int i = 0; exchange.readRequest() != null; i++) {
                byte[] jpeg = JPEGS.get(i % JPEGS.size());
                exchange.write("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n");
                exchange.write(jpeg);
            }
        })) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("/snapshot.jpg"), RelayOptions.DEFAULTS.withFps(20));
            source.open(sink);
            assertPolls(sink, 8);
            assertEquals(1, upstream.connections.get(), "every poll on the same keep-alive connection");
            assertEquals(20, source.nominalFps());
            source.close();
            eventually(() -> upstream.finished.get() == 1, "the upstream sees the relay disconnect");
            assertEquals(0, sink.failures.get());
        }
    }

    @Test
    void pollsASnapshotUrlThatClosesEachConnection() throws Exception {
        try (TestUpstream upstream = new TestUpstream(exchange -> {
            exchange.readRequest();
            exchange.write("HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\n\r\n");
            exchange.write(JPEGS.get(exchange.index % JPEGS.size()));
        })) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("/cgi-bin/snapshot.cgi"), RelayOptions.DEFAULTS.withFps(20));
            source.open(sink);
            assertPolls(sink, 4);
            assertTrue(upstream.connections.get() >= 4, "a new connection per poll");
            assertEquals(2, relays.relay(upstream.uri("/x.jpg"), RelayOptions.DEFAULTS).nominalFps() + 2,
                    "rate unknown before the first answer");
            source.close();
            assertEquals(0, sink.failures.get());
        }
    }

    @Test
    void answersBasicAuthFromTheUrl() throws Exception {
        String expected = "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString("admin:p@ss:w".getBytes());
        try (TestUpstream upstream = guarded(request -> request.contains("\r\n" + expected + "\r\n"),
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"camera\"\r\n"
                        + "Content-Length: 12\r\n\r\nUnauthorized")) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("admin:p%40ss:w", "/video"), RelayOptions.DEFAULTS);
            assertEquals("relay http://127.0.0.1:" + upstream.port() + "/video", source.toString());
            source.open(sink);
            assertArrayEquals(JPEGS.get(0), sink.take(1, WAIT).get(0));
            assertEquals(2, upstream.requests.size(), "the challenge, then the answer");
            assertFalse(upstream.requests.get(0).contains("Authorization"), "no password before it is asked for");
            source.close();
        }
    }

    @Test
    void answersDigestAuthFromTheUrl() throws Exception {
        DigestServer digest = new DigestServer("camera", "admin", "secret");
        try (TestUpstream upstream = guarded(digest::accepts,
                "HTTP/1.1 401 Unauthorized\r\n" + digest.challengeHeader() + "Content-Length: 0\r\n\r\n")) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("admin:secret", "/video?ch=1"), RelayOptions.DEFAULTS);
            source.open(sink);
            assertArrayEquals(JPEGS.get(0), sink.take(1, WAIT).get(0));
            assertEquals(2, upstream.requests.size(), "the challenge, then the answer");
            source.close();

            RecordingSink wrong = new RecordingSink();
            HttpRelaySource refused = relays.relay(upstream.uri("admin:guess", "/video"), RelayOptions.DEFAULTS);
            refused.open(wrong);
            assertEquals("upstream http://127.0.0.1:" + upstream.port()
                    + "/video refused the user name and password in the URL (401)", wrong.awaitFailure(WAIT));
            refused.close();
        }
    }

    @Test
    void closeBeforeTheConnectionIsUpReportsNothing() throws Exception {
        try (TestUpstream upstream = new TestUpstream(TestUpstream.Exchange::holdUntilClientCloses)) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("/video"), RelayOptions.DEFAULTS);
            source.open(sink);
            source.close();
            source.open(sink);
            source.close();
            eventually(() -> upstream.finished.get() == upstream.connections.get(), "every connection closed");
            assertEquals(0, sink.failures.get());
        }
    }

    @Test
    void rejectsWhatIsNotAnHttpUrl() {
        IllegalArgumentException rtsp = assertThrows(IllegalArgumentException.class,
                () -> relays.relay(URI.create("rtsp://u:pw@cam/stream1"), RelayOptions.DEFAULTS));
        assertEquals("url: 'rtsp://cam/stream1' (expected: http:// or https://; rtsp:// is read through"
                + " FFmpeg, not relayed)", rtsp.getMessage());
        assertThrows(IllegalArgumentException.class, () -> relays.relay(URI.create("ftp://cam/x"), RelayOptions.DEFAULTS));
    }

    /** Answers the first request with {@code dialect}'s head and {@code jpegs} as its parts, in random pieces. */
    private static TestUpstream streaming(MjpegDialect dialect, List<byte[]> jpegs, long seed) throws IOException {
        return new TestUpstream(exchange -> {
            exchange.readRequest();
            exchange.write(dialect.head());
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int i = 0; i < jpegs.size(); i++) {
                body.write(dialect.part(i, jpegs.get(i)));
            }
            MjpegDialect.writeBody(exchange, dialect.chunked(), body.toByteArray(), new Random(seed));
            exchange.holdUntilClientCloses();
        });
    }

    /** Whether the test upstream accepts a request's credentials. */
    private interface Accepts {
        boolean accepts(String request) throws Exception;
    }

    /** Answers {@code challenge} to each request it does not {@code accept}, and two parts to one it does. */
    private static TestUpstream guarded(Accepts accepts, String challenge) throws IOException {
        return new TestUpstream(exchange -> {
            String request;
            while ((request = exchange.readRequest()) != null) {
                if (!accepts.accepts(request)) {
                    exchange.write(challenge);
                    continue;
                }
                exchange.write(MjpegDialect.STANDARD.head());
                MjpegDialect.writeBody(exchange, true, MjpegDialect.STANDARD.part(0, JPEGS.get(0)), new Random(1));
                MjpegDialect.writeBody(exchange, true, MjpegDialect.STANDARD.part(1, JPEGS.get(1)), new Random(1));
                exchange.holdUntilClientCloses();
            }
        });
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** Takes {@code count} frames and checks that poll {@code i} brought the upstream's JPEG {@code i}, cycling. */
    private static void assertPolls(RecordingSink sink, int count) throws InterruptedException {
        List<byte[]> frames = sink.take(count, WAIT);
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(JPEGS.get(i % JPEGS.size()), frames.get(i), "poll " + i);
        }
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(10); // polling with a deadline, not a synchronisation by sleeping
        }
    }
}
