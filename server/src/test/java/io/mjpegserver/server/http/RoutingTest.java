package io.mjpegserver.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.server.testing.EmbeddedServer;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status codes and the non-stream endpoints, on the real pipeline. */
class RoutingTest {

    private static double rejects(EmbeddedServer server, String reason) {
        for (var snapshot : server.metrics.registry().scrape()) {
            if (snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot counter
                    && counter.getMetadata().getName().equals("mjpeg_connection_rejects")) {
                for (var point : counter.getDataPoints()) {
                    if (reason.equals(point.getLabels().get("reason"))) {
                        return point.getValue();
                    }
                }
            }
        }
        throw new AssertionError("no rejects counter for " + reason);
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf("\r\n"));
    }

    private static final boolean KEEPS_OPEN = true;
    private static final boolean CLOSES = false;

    /**
     * Sends {@code request} to {@code server}, asserts the status line of the answer and whether the connection
     * stays open after it, and returns the whole answer.
     */
    private static String assertAnswers(EmbeddedServer server, String request, String status, boolean staysOpen) {
        String response = server.answer(request);
        assertEquals(status, statusLine(response), request);
        assertEquals(staysOpen, server.channel.isOpen(), "connection open after " + request);
        return response;
    }

    /** {@link #assertAnswers(EmbeddedServer, String, String, boolean)} on a server of its own. */
    private static String assertAnswers(String request, String status, boolean staysOpen) {
        try (EmbeddedServer server = new EmbeddedServer()) {
            return assertAnswers(server, request, status, staysOpen);
        }
    }

    @Test
    void unknownPathIs404AndKeepsTheConnection() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            String response = assertAnswers(server, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found", KEEPS_OPEN);
            assertTrue(response.endsWith("404 Not Found: no such path: /nope\n"), response);
            assertAnswers(server, "GET /?action=unknown HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found", KEEPS_OPEN);
        }
    }

    /**
     * A cleartext connection is HTTP/2 only when it opens with the whole preface ({@code PRI * HTTP/2.0...}): a
     * {@code POST}, which starts with the same letter, arriving one byte at a time, is HTTP/1 and answered so.
     */
    @Test
    void aRequestStartingLikeTheHttp2PrefaceIsHttp1() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            for (char c : "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".toCharArray()) {
                server.request(String.valueOf(c));
            }
            assertEquals("HTTP/1.1 405 Method Not Allowed", statusLine(server.outboundText()));
        }
    }

    /** The whole preface turns the connection into HTTP/2: the server's first bytes are its SETTINGS frame. */
    @Test
    void thePrefaceTurnsTheConnectionIntoHttp2() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.request("PRI * HTTP/2.0\r\n\r\n");
            server.request("SM\r\n\r\n");
            List<ByteBuf> out = server.outbound();
            assertFalse(out.isEmpty(), "no answer to the preface");
            ByteBuf first = out.get(0);
            assertEquals(4, first.getUnsignedByte(first.readerIndex() + 3), "frame type of the server's first frame (SETTINGS)");
            assertEquals(0, first.getInt(first.readerIndex() + 5), "its stream (the connection)");
            assertTrue(server.channel.pipeline().names().contains(PipelineNames.H2_CODEC), server.channel.pipeline().names().toString());
            assertFalse(server.channel.pipeline().names().contains(PipelineNames.CODEC), server.channel.pipeline().names().toString());
            out.forEach(ByteBuf::release);
        }
    }

    @Test
    void otherMethodsAre405WithAllow() {
        // Closed: the body was not read.
        String response = assertAnswers("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 405 Method Not Allowed", CLOSES);
        assertTrue(response.contains("\r\nallow: GET, HEAD\r\n"), response);
    }

    @Test
    void malformedRequestIs400AndCloses() {
        assertAnswers("GET /stream HTTP/1.1\r\nHost: x\r\nbad header line without colon\r\n\r\n", "HTTP/1.1 400 Bad Request", CLOSES);
        assertAnswers("\u0001\u0002 nonsense\r\n\r\n", "HTTP/1.1 400 Bad Request", CLOSES);
    }

    @Test
    void oversizedHeadersAre431AndOverlongLinesAre414() {
        assertAnswers("GET /stream HTTP/1.1\r\nX-Big: " + "a".repeat(HttpServerInitializer.MAX_HEADER_SIZE + 10) + "\r\n\r\n",
                "HTTP/1.1 431 Request Header Fields Too Large", CLOSES);
        assertAnswers("GET /" + "a".repeat(HttpServerInitializer.MAX_INITIAL_LINE + 10) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 414 Request-URI Too Long", CLOSES);
    }

    @Test
    void snapshotBeforeTheFirstFrameIs503WithRetryAfter() {
        String response = assertAnswers("GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 503 Service Unavailable", KEEPS_OPEN);
        assertTrue(response.contains("\r\nretry-after: 1\r\n"), response);
    }

    /**
     * The ring's memory, never a copy, but through a duplicate: the ring's buffer keeps its own reader index,
     * which stream parts and every other snapshot read (written itself, TLS or a partial write moved it).
     */
    @Test
    void snapshotSendsTheNewestFrameFromTheRingsMemory() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            // Netty copies bodies under 128 bytes into the header buffer; a JPEG is never that small.
            Frame frame = EmbeddedServer.frame(42, 1_700_000_000_000_001L, new byte[996]);
            long address = frame.content().memoryAddress();
            server.publish(frame);
            for (String path : List.of("/snapshot", "/snapshot.jpg", "/?action=snapshot")) {
                server.request("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                List<ByteBuf> written = server.outbound();
                try {
                    String head = written.get(0).toString(java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
                    assertTrue(head.contains("content-type: image/jpeg\r\n"), head);
                    assertTrue(head.contains("content-length: 1000\r\n"), head);
                    assertTrue(head.contains("X-Timestamp: 1700000000.000001\r\n"), head);
                    assertTrue(head.contains("X-Frame-Sequence: 42\r\n"), head);
                    boolean shared = written.stream().anyMatch(b -> b.hasMemoryAddress() && b.memoryAddress() == address
                            && b.readableBytes() == 1000);
                    assertTrue(shared, "the body is the ring's memory, not a copy");
                    for (ByteBuf b : written) {
                        // As a socket would: consume what was written.
                        b.skipBytes(b.readableBytes());
                    }
                    Frame newest = server.ring.latest();
                    try {
                        assertEquals(1000, newest.content().readableBytes(), "the ring's own reader index never moves");
                        assertTrue(written.stream().noneMatch(b -> b == newest.content()), "a duplicate, not the buffer");
                    } finally {
                        newest.release();
                    }
                } finally {
                    written.forEach(ByteBuf::release);
                }
            }
            assertTrue(server.channel.isOpen(), "keep-alive");
        }
    }

    @Test
    void badPercentEscapesAre400AndCounted() {
        for (String target : List.of("/%zz", "/?action=%zz", "/stream%")) {
            try (EmbeddedServer server = new EmbeddedServer()) {
                String response = assertAnswers(server, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request", CLOSES);
                assertTrue(response.contains("not a valid path"), response);
                assertEquals(1.0, rejects(server, "bad_request"));
                assertTrue(server.fatalErrors.isEmpty());
            }
        }
    }

    @Test
    void onlyHttp1IsSpoken() {
        for (String version : List.of("HTTP/9.9", "HTTP/2.0", "HTTP/1.2")) {
            assertAnswers("GET /snapshot " + version + "\r\nHost: x\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported", CLOSES);
        }
    }

    @Test
    void http11NeedsExactlyOneHost() {
        for (String headers : List.of("", "Host: a\r\nHost: b\r\n")) {
            assertAnswers("GET /healthz HTTP/1.1\r\n" + headers + "\r\n", "HTTP/1.1 400 Bad Request", CLOSES);
        }
        // HTTP/1.0 needs no Host; without keep-alive it closes.
        assertAnswers("GET /healthz HTTP/1.0\r\n\r\n", "HTTP/1.0 200 OK", CLOSES);
    }

    @Test
    void anAbsoluteFormTargetIsServedAsItsPath() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            assertTrue(server.answer("GET http://cam.local:8080/healthz HTTP/1.1\r\nHost: cam.local:8080\r\n\r\n").endsWith("\r\n\r\nok\n"));
            assertTrue(server.answer("GET HTTP://cam.local HTTP/1.1\r\nHost: cam.local\r\n\r\n").contains("text/html"), "the bare authority is /");
            assertTrue(server.answer("GET https://cam.local/nope?x=1 HTTP/1.1\r\nHost: cam.local\r\n\r\n").endsWith("no such path: /nope\n"));
        }
    }

    @Test
    void theCorsPreflightHasNoQuotedDate() {
        try (EmbeddedServer server = new EmbeddedServer(io.mjpegserver.server.config.ServerConfig.builder().allowOrigin("*").build())) {
            String response = assertAnswers(server, "OPTIONS /stream HTTP/1.1\r\nHost: x\r\nOrigin: https://nvr.example\r\n"
                    + "Access-Control-Request-Method: GET\r\n\r\n", "HTTP/1.1 200 OK", KEEPS_OPEN);
            assertTrue(response.contains("\r\ncontent-length: 0\r\n"), response);
            // Netty's default sent date: "Sun, ..." (quoted). An answer may go without a Date; never with a bad one.
            response.lines().filter(l -> l.regionMatches(true, 0, "date:", 0, 5)).forEach(line ->
                    java.time.ZonedDateTime.parse(line.substring(5).trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME));
            assertTrue(server.answer("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").endsWith("ok\n"), "the connection goes on");
        }
    }

    @Test
    void anErrorWhileAnsweringGoesToTheFatalHandler() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.stats = null;
            server.request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            // A NullPointerException is a bug, not an Error: the connection closes, the process goes on.
            assertTrue(server.fatalErrors.isEmpty());
        }
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.sourceError = new StackOverflowError("test");
            server.request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(1, server.fatalErrors.size(), "an Error is fatal");
            assertEquals("test", server.fatalErrors.get(0).getMessage());
        }
    }

    @Test
    void headSnapshotHasTheLengthButNoBody() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.publish(EmbeddedServer.frame(1, 1_700_000_000_000_000L, (byte) 1, (byte) 2));
            String response = server.answer("HEAD /snapshot HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(response.contains("content-length: 6\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\n"), response);
        }
    }

    @Test
    void indexIsTheViewerPage() {
        // HTTP/1.0 without keep-alive closes.
        String response = assertAnswers("GET / HTTP/1.0\r\n\r\n", "HTTP/1.0 200 OK", CLOSES);
        assertTrue(response.contains("content-type: text/html; charset=utf-8\r\n"), response);
        assertTrue(response.contains("<img id=\"stream\" src=\"stream\""), response);
    }
}
