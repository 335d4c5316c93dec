package io.mjpegserver.capture.relay;

import static io.mjpegserver.capture.relay.HttpRelaySourceTest.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each way an upstream can misbehave ends the relay's connection with one report, in our words, naming the
 * upstream; the test upstream sees the connection closed (so the relay holds nothing of it), and no buffer leaks.
 */
class HostileUpstreamTest {

    @RegisterExtension
    static final RelayLoops relays = new RelayLoops();

    private static final List<byte[]> JPEGS = TestJpegs.make(2, 160, 120);
    private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=foo\r\n\r\n";
    private static final RelayOptions SMALL = RelayOptions.DEFAULTS.withMaxPartBytes(256 * 1024)
            .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(700));
    /** For an upstream that is slow only when the machine is: no read timeout to race. */
    private static final RelayOptions PATIENT = RelayOptions.DEFAULTS.withMaxPartBytes(256 * 1024);

    @Test
    void partOverTheSizeLimit() throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.write(HEAD + partHead("--foo", 300000));
            exchange.write(new byte[300000]);
            exchange.holdUntilClientCloses();
        }, " sent a part of 300000 bytes, over the limit of 262144 (raise it with --relay-max-part if the camera's"
                + " JPEGs are really this big)");
    }

    @Test
    void partOverTheSizeLimitWithoutContentLength() throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.write(HEAD + "--foo\r\nContent-Type: image/jpeg\r\n\r\n");
            writeForever(exchange, new byte[8192]);
        }, " sent more than 262144 bytes without a boundary '--foo' (a part over the size limit, or a stream that"
                + " does not use the boundary it announced)");
    }

    @Test
    void garbageAfterTheHeaders() throws Exception {
        expectAfterNoise(HEAD, 3, " sent more than 65536 bytes without the boundary '--foo' its Content-Type announced (garbage, or another boundary)");
    }

    @Test
    void notHttpAtAll() throws Exception {
        expectAfterNoise("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 4, " did not answer with HTTP (is this the camera's web port?)");
    }

    @Test
    void noBoundaryAnywhere() throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.write("HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace\r\n\r\n"
                    + "Content-Type: image/jpeg\r\n\r\n");
            exchange.write(JPEGS.get(0));
            exchange.holdUntilClientCloses();
        }, " sent a part without Content-Length and names no multipart boundary to end it");
    }

    @Test
    void wrongBoundary() throws Exception {
        expect(exchange -> {
            answerUpToFirstJpeg(exchange, "--bar");
            exchange.write(JPEGS.get(0));
            exchange.holdUntilClientCloses();
        }, " uses the boundary '--bar', not the '--foo' its Content-Type announced");
    }

    @Test
    void htmlInsteadOfAStream() throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.write("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 13\r\n\r\n<html></html>");
            exchange.holdUntilClientCloses();
        }, " answered with text/html, not an MJPEG stream (multipart/x-mixed-replace) nor a JPEG (check the URL)");
    }

    @Test
    void stallMidFrame() throws Exception {
        expect(exchange -> {
            answerUpToFirstJpeg(exchange, "--foo");
            exchange.out.write(JPEGS.get(0), 0, 1000);
            exchange.out.flush();
            exchange.holdUntilClientCloses();
        }, " stalled: sent nothing for 700 ms in the middle of a frame");
    }

    @Test
    void stallBeforeAnswering() throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.holdUntilClientCloses();
        }, " stalled: sent nothing for 700 ms");
    }

    @Test
    void closeMidFrameChunked() throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: multipart/x-mixed-replace;boundary=foo\r\n\r\n");
            MjpegDialect.writeBody(exchange, true, ("--foo\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(), new Random(1));
            MjpegDialect.writeBody(exchange, true, java.util.Arrays.copyOf(JPEGS.get(0), 2000), new Random(1));
        }, " closed the connection mid-frame");
    }

    @Test
    void closeMidFrameUntilClose() throws Exception {
        RecordingSink sink = expect(exchange -> {
            exchange.readRequest();
            exchange.write("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=foo\r\n\r\n");
            for (byte[] jpeg : JPEGS) {
                exchange.write(partHead("--foo", jpeg.length));
                exchange.write(jpeg);
                exchange.write("\r\n");
            }
            exchange.write(partHead("--foo", JPEGS.get(0).length));
            exchange.out.write(JPEGS.get(0), 0, 1000);
        }, " closed the connection mid-frame");
        assertEquals(2, sink.frames.size(), "the whole frames before the cut are delivered");
    }

    @Test
    void closeBetweenFrames() throws Exception {
        expect(exchange -> {
            answerUpToFirstJpeg(exchange, "--foo");
            exchange.write(JPEGS.get(0));
            exchange.write("\r\n--foo\r\n");
        }, " closed the connection");
    }

    /**
     * A camera that miscounts one part's Content-Length (too short, a little too long, far too long) and is fine
     * after it: that part is skipped and counted, the frames after it arrive, on the same connection.
     */
    @Test
    void aMiscountedPartIsSkippedOnTheSameConnection() throws Exception {
        List<byte[]> jpegs = TestJpegs.make(5, 160, 120);
        // Off by the whole next part: the length ends where the next JPEG does.
        int wholePart = 2 + partHead("--foo", jpegs.get(2).length).length() + jpegs.get(2).length;
        for (int error : new int[] {-100, -1, 7, 500, 100_000, wholePart}) {
            try (TestUpstream upstream = new TestUpstream(exchange -> {
                exchange.readRequest();
                exchange.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Type: multipart/x-mixed-replace;boundary=foo\r\n\r\n");
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < jpegs.size(); i++) {
                    int length = jpegs.get(i).length + (i == 1 ? error : 0);
                    body.write(partHead("--foo", length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    body.write(jpegs.get(i));
                    body.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                MjpegDialect.writeBody(exchange, true, body.toByteArray(), new Random(error));
                exchange.holdUntilClientCloses();
            })) {
                RecordingSink sink = new RecordingSink();
                HttpRelaySource source = relays.relay(upstream.uri("/video"), PATIENT);
                source.open(sink);
                List<byte[]> frames = sink.take(4, WAIT);
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(jpegs.get(i == 0 ? 0 : i + 1), frames.get(i), "Content-Length off by " + error
                            + ": frame " + i);
                }
                assertEquals(1, sink.incomplete.get(), "the miscounted part counted, off by " + error);
                assertEquals(1, upstream.connections.get(), "the same connection, off by " + error);
                assertEquals(0, sink.failures.get(), "no failure, off by " + error);
                source.close();
            }
        }
    }

    /** Content-Length counting the line end after the JPEG, or zeros padding it: the part is whole, delivered. */
    @Test
    void aPartPaddedWithinItsContentLengthIsDelivered() throws Exception {
        try (TestUpstream upstream = new TestUpstream(exchange -> {
            exchange.readRequest();
            exchange.write(HEAD);
            for (int i = 0; i < JPEGS.size(); i++) {
                String padding = i == 0 ? "\r\n" : "\0\0\0";
                exchange.write(partHead("--foo", JPEGS.get(i).length + padding.length()));
                exchange.write(JPEGS.get(i));
                exchange.write(padding + "\r\n");
            }
            exchange.holdUntilClientCloses();
        })) {
            RecordingSink sink = new RecordingSink();
            relays.relay(upstream.uri("/video"), PATIENT).open(sink);
            List<byte[]> frames = sink.take(2, WAIT);
            assertEquals(JPEGS.get(0).length + 2, frames.get(0).length);
            assertEquals(0, sink.incomplete.get());
            assertEquals(0, sink.failures.get());
        }
    }

    @Test
    void statuses() throws Exception {
        expect(status("404 Not Found", ""), " answered 404 Not Found (check the path in the URL)");
        expect(status("500 Oops", ""), " answered 500 Internal Server Error (a fault in the camera; it may recover)");
        expect(status("401 Unauthorized", "WWW-Authenticate: Basic realm=\"x\"\r\n"),
                " asks for a user name and password (401): put them in the URL, http://user:password@host/...");
        expect(status("302 Found", "Location: http://127.0.0.1/other.mjpg\r\n"),
                " redirects (302 Found) to http://127.0.0.1/other.mjpg: use the URL it redirects to");
    }

    @Test
    void unsupportedAuthentication() throws Exception {
        try (TestUpstream upstream = new TestUpstream(status("401 Unauthorized", "WWW-Authenticate: Negotiate\r\n"))) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("u:p", "/video"), SMALL);
            source.open(sink);
            assertEquals("upstream http://127.0.0.1:" + upstream.port() + "/video asks for authentication we"
                    + " do not speak (negotiate; we answer Basic and Digest)", sink.awaitFailure(WAIT));
            source.close();
        }
    }

    @Test
    void connectionRefused() throws Exception {
        int port = HttpRelaySourceTest.freePort();
        RecordingSink sink = new RecordingSink();
        HttpRelaySource source = relays.relay(URI.create("http://127.0.0.1:" + port + "/video"), SMALL);
        source.open(sink);
        assertEquals("upstream http://127.0.0.1:" + port + "/video refused the connection on port " + port
                + " (is the camera on, and the port right?)", sink.awaitFailure(WAIT));
        source.close();
        assertEquals(1, sink.failures.get());
    }

    @Test
    void hostNameThatDoesNotResolve() throws Exception {
        RecordingSink sink = new RecordingSink();
        // RFC 6761: .invalid never resolves. Answered by the resolver or after its timeout (the connect timeout).
        HttpRelaySource source = relays.relay(URI.create("http://camera.invalid/video.mjpg"), SMALL);
        source.open(sink);
        assertEquals("upstream http://camera.invalid/video.mjpg has a host name that does not resolve"
                + " ('camera.invalid': check the name, or use the camera's IP address)", sink.awaitFailure(WAIT));
        source.close();
    }

    @Test
    void localhostResolvesWithoutBlocking() throws Exception {
        try (TestUpstream upstream = new TestUpstream(exchange -> {
            exchange.readRequest();
            exchange.write("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " + JPEGS.get(0).length
                    + "\r\n\r\n");
            exchange.write(JPEGS.get(0));
            exchange.holdUntilClientCloses();
        })) {
            URI uri = URI.create("http://localhost:" + upstream.port() + "/snap.jpg");
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(uri, RelayOptions.DEFAULTS);
            source.open(sink);
            assertArrayEquals(JPEGS.get(0), sink.take(1, WAIT).get(0), "the frame, through localhost");
            source.close();

            // Without blocking: a host name goes to Netty's DNS resolver, which waits for its answer without holding
            // the event loop (Netty's default resolver would call InetAddress on the loop, blocking every relay on it).
            RelayConnector connector = new RelayConnector(relays.group(), PooledByteBufAllocator.DEFAULT,
                    RelayTarget.of(uri), SMALL, null);
            EventLoop loop = connector.nextLoop();
            AddressResolverGroup<InetSocketAddress> resolver = connector.newResolver(loop);
            try {
                assertInstanceOf(DnsAddressResolverGroup.class, resolver);
                assertSame(resolver, connector.bootstrap(loop, null, resolver).config().resolver(),
                        "the relay's connections resolve through it");
                InetSocketAddress resolved = resolver.getResolver(loop).resolve(connector.remote())
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(resolved.getAddress().isLoopbackAddress(), resolved.toString());
            } finally {
                resolver.close();
            }
        }
    }

    private static TestUpstream.Script status(String status, String headers) {
        return exchange -> {
            while (exchange.readRequest() != null) {
                exchange.write("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: 5\r\n\r\nnope\n");
            }
        };
    }

    /** Reads the request and answers with a multipart head and the first part's head, up to its JPEG's bytes. */
    private static void answerUpToFirstJpeg(TestUpstream.Exchange exchange, String delimiter) throws Exception {
        exchange.readRequest();
        exchange.write(HEAD + partHead(delimiter, JPEGS.get(0).length));
    }

    /** A part's delimiter line and headers, as cameras send them. */
    private static String partHead(String delimiter, int contentLength) {
        return delimiter + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /** {@link #expect} of an upstream that answers {@code head}, then random bytes for as long as it is read. */
    private static void expectAfterNoise(String head, long seed, String report) throws Exception {
        expect(exchange -> {
            exchange.readRequest();
            exchange.write(head);
            byte[] noise = new byte[4096];
            new Random(seed).nextBytes(noise);
            writeForever(exchange, noise);
        }, report);
    }

    private static void writeForever(TestUpstream.Exchange exchange, byte[] chunk) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            exchange.write(chunk); // ends with an exception when the relay disconnects
        }
    }

    /** Runs {@code script} as the upstream and checks the relay's one report, and that it disconnected. */
    private static RecordingSink expect(TestUpstream.Script script, String whatHappened) throws Exception {
        try (TestUpstream upstream = new TestUpstream(script)) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(upstream.uri("/video"), SMALL);
            source.open(sink);
            assertEquals("upstream http://127.0.0.1:" + upstream.port() + "/video" + whatHappened,
                    sink.awaitFailure(WAIT));
            HttpRelaySourceTest.eventually(() -> upstream.finished.get() == upstream.connections.get(),
                    "the relay closed its connection");
            source.close();
            assertEquals(1, sink.failures.get(), "one report");
            assertTrue(sink.frames.size() <= JPEGS.size());
            return sink;
        }
    }
}
