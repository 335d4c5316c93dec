package io.mjpegserver.server.feed;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ServerFixture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The listing an edge mirrors (an origin's {@code /state}), over raw sockets, both ends: the origin answers a request
 * that says {@code Connection: close}, or an HTTP/1.0 one without keep-alive, and then closes, answering nothing
 * pipelined behind it; the edge asks with {@code Connection: close} and reads an answer that ends with its connection.
 */
class OriginListingTest {

    @Test
    void theOriginClosesAfterAnsweringARequestThatAsksItTo() throws Exception {
        try (ServerFixture origin = ServerFixture.testPattern(320, 240, 10)) {
            List<String> close = exchange(origin.port(), "GET /state HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: origin\r\n\r\n");
            assertEquals(1, close.size(), "one answer, none to the request behind it: " + close);
            assertTrue(close.get(0).startsWith("HTTP/1.1 200 OK\r\n"), close.get(0));
            assertTrue(head(close.get(0)).contains("\r\nconnection: close\r\n"), close.get(0));
            assertTrue(close.get(0).contains("\"feeds\""), close.get(0));

            List<String> http10 = exchange(origin.port(), "GET /state HTTP/1.0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n");
            assertEquals(1, http10.size(), "one answer, none to the request behind it: " + http10);
            assertTrue(http10.get(0).startsWith("HTTP/1.0 200 OK\r\n"), http10.get(0));
            assertTrue(!head(http10.get(0)).contains("keep-alive"), http10.get(0));

            // And what keeps the connection does keep it: both answered, then the client closes.
            List<String> kept = exchange(origin.port(), "GET /state HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    + "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 2);
            assertEquals(2, kept.size(), kept.toString());
            assertTrue(head(kept.get(0)).contains("\r\nconnection: keep-alive\r\n"), kept.get(0));
        }
    }

    @Test
    void theEdgeAsksWithConnectionCloseAndReadsAnAnswerThatEndsWithItsConnection() throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = origin.accept()) {
                    socket.setSoTimeout(10_000);
                    String asked = readHead(socket.getInputStream());
                    // HTTP/1.0, no length: the body ends where the connection does.
                    socket.getOutputStream().write(("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
                            + "{\"feeds\": [{\"name\": \"front\"}, {\"name\": \"back\"}]}").getBytes(US_ASCII));
                    return asked;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<String> names = OriginListing.read(URI.create("http://127.0.0.1:" + origin.getLocalPort() + "/"),
                    Duration.ofSeconds(10));
            assertEquals(List.of("front", "back"), names);
            String asked = request.get(10, TimeUnit.SECONDS).toLowerCase(Locale.ROOT);
            assertTrue(asked.startsWith("get /state http/1.1\r\n"), asked);
            assertTrue(asked.contains("\r\nconnection: close\r\n"), asked);
        }
    }

    /** Sends {@code requests} at once and reads answers until the server closes (10 s at most). */
    private static List<String> exchange(int port, String requests) throws Exception {
        return exchange(port, requests, Integer.MAX_VALUE);
    }

    /** As {@link #exchange(int, String)}, but stops after {@code most} answers and closes itself. */
    private static List<String> exchange(int port, String requests, int most) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            List<String> answers = new ArrayList<>();
            while (answers.size() < most) {
                String head = readHead(in);
                if (head == null) {
                    return answers;
                }
                String lower = head.toLowerCase(Locale.ROOT);
                int at = lower.indexOf("\r\ncontent-length: ") + 18;
                int length = Integer.parseInt(lower.substring(at, lower.indexOf("\r\n", at)).trim());
                answers.add(head + new String(in.readNBytes(length), ISO_8859_1));
            }
            return answers;
        }
    }

    private static String head(String answer) {
        return answer.substring(0, answer.indexOf("\r\n\r\n") + 4).toLowerCase(Locale.ROOT);
    }

    /** A head up to its empty line, or {@code null} when the connection ends first (a read past 10 s fails). */
    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new AssertionError("closed in a head: " + head.toString(ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(ISO_8859_1);
    }
}
