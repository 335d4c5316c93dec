package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.stream.StreamTotals;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How connections end: an idle keep-alive quietly, an HTTP/1.0 stream with its last part whole, and counters that only grow. */
class ConnectionLifecycleTest {

    private static final CaptureConfig SMALL =
            new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(320, 240), 30, 80, 4);

    private static ServerFixture start(ServerConfig config, CaptureConfig capture) throws Exception {
        return ServerFixture.start(config.toBuilder().host("127.0.0.1").port(0).build(), capture);
    }

    /** An unsolicited 408 on an idle keep-alive would be read as the answer to the client's next request. */
    @Test
    void anIdleKeepAliveConnectionIsClosedWithoutA408() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().requestTimeout(Duration.ofMillis(300)).build(), SMALL);
                Socket socket = new Socket()) {
            // A known answer to read whole: /healthz once the first frame is in.
            assertTrue(io.mjpegserver.server.testing.Http.eventually(Duration.ofSeconds(20),
                    () -> server.server().captureStats().framesCaptured() > 0), "the first frame");
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            String body = new String(in.readNBytes(bodyLength(in)), ISO_8859_1);
            assertEquals("ok\n", body);
            // Then nothing: the server closes the idle connection after the request timeout, saying nothing.
            byte[] rest = in.readAllBytes();
            assertEquals("", new String(rest, ISO_8859_1), "nothing after the answer");
        }
    }

    /** Reads a response head and returns its body's length. */
    private static int bodyLength(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head.toString(ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(ISO_8859_1);
        int at = text.toLowerCase().indexOf("content-length: ");
        int length = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)));
        return length;
    }

    /**
     * At shutdown an HTTP/1.0 stream, which ends with its connection, is closed once what was written went out:
     * a slow reader gets its last part whole. (It was closed at once, and what waited in the outbound buffer
     * was thrown away: the last part came out cut.)
     */
    @Test
    void anHttp10StreamEndsWithAWholePartAtShutdown() throws Exception {
        CaptureConfig big = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1280, 720), 30, 95, 4);
        ServerFixture server = start(ServerConfig.builder().sendBuffer(8192).build(), big);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /stream HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            // Read slower than frames come (400 KB/s), until the server holds part of a part for this client beyond
            // the socket: the case where closing at once would cut it. Bounded: 10 s.
            long pendingAtClose = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pendingAtClose == 0 && System.nanoTime() < until) {
                int n = in.read(chunk);
                received.write(chunk, 0, n);
                TimeUnit.MILLISECONDS.sleep(10);
                pendingAtClose = pendingBytes(server);
            }
            assertTrue(pendingAtClose > 0, "the server held part of a part when it stopped");
            int before = received.size();
            Future<?> closing = pool.submit(server::close);
            // Still slowly, so the server still holds some when it ends the stream: what it wrote must still come
            // (within the second it waits; what it holds drains in a fraction of that, even at this pace).
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                received.write(chunk, 0, n);
                TimeUnit.MILLISECONDS.sleep(10);
            }
            closing.get(10, TimeUnit.SECONDS);
            int parts = wholeParts(received.toByteArray());
            System.out.printf("HTTP/1.0 stream at shutdown: %d bytes pending, %d bytes came after, %d whole parts%n",
                    pendingAtClose, received.size() - before, parts);
            assertTrue(parts >= 1, "parts received: " + parts);
        } finally {
            server.close();
            pool.shutdownNow();
        }
    }

    /** What the server holds for its one stream client beyond the socket, in bytes. */
    private static long pendingBytes(ServerFixture server) {
        return server.server().state().clients().stream().mapToLong(c -> c.pendingBytes()).sum();
    }

    /** Checks the raw HTTP/1.0 stream ends right after a delimiter, every part whole; returns the parts. */
    private static int wholeParts(byte[] stream) {
        String text = new String(stream, ISO_8859_1);
        String delimiter = "--" + ServerFixture.BOUNDARY + "\r\n";
        int at = text.indexOf("\r\n\r\n") + 4;
        assertTrue(text.startsWith(delimiter, at), "the body starts with the delimiter");
        at += delimiter.length();
        int parts = 0;
        while (at < text.length()) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            assertTrue(headEnd > 0, "cut in a part's headers after " + parts + " parts");
            String headers = text.substring(at, headEnd).toLowerCase();
            int l = headers.indexOf("content-length: ");
            int length = Integer.parseInt(headers.substring(l + 16).split("\r\n")[0].trim());
            int bodyEnd = headEnd + 4 + length;
            assertTrue(bodyEnd + 2 + delimiter.length() <= text.length(),
                    "the last part was cut: " + (text.length() - headEnd - 4) + " of " + length + " bytes");
            assertEquals("\r\n" + delimiter, text.substring(bodyEnd, bodyEnd + 2 + delimiter.length()));
            at = bodyEnd + 2 + delimiter.length();
            parts++;
        }
        return parts;
    }

    /** Totals read while sessions end never go back: a session counts once, open or ended. */
    @Test
    void streamTotalsNeverGoBackwards() throws Exception {
        try (ServerFixture server = start(ServerConfig.builder().build(), SMALL)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicBoolean churning = new AtomicBoolean(true);
            AtomicInteger sessions = new AtomicInteger();
            List<Future<?>> churn = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                churn.add(pool.submit(() -> {
                    while (churning.get()) {
                        try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                            client.next();
                        }
                        sessions.incrementAndGet();
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            long reads = 0;
            try {
                StreamTotals previous = new StreamTotals(0, 0, 0, 0);
                while (System.nanoTime() < deadline) {
                    StreamTotals now = totals(server);
                    reads++;
                    assertTrue(now.framesSent() >= previous.framesSent() && now.bytesSent() >= previous.bytesSent()
                            && now.framesSkipped() >= previous.framesSkipped()
                            && now.sessionsStarted() >= previous.sessionsStarted(), previous + " then " + now);
                    previous = now;
                }
            } finally {
                churning.set(false);
                for (Future<?> f : churn) {
                    f.get(20, TimeUnit.SECONDS);
                }
                pool.shutdownNow();
            }
            System.out.printf("totals: %d reads while %d sessions ended, never backwards%n", reads, sessions.get());
            assertTrue(sessions.get() > 50, "sessions churned: " + sessions.get());
            // Each once: the streams served are the sessions the clients opened, once the last has ended.
            assertTrue(io.mjpegserver.server.testing.Http.eventually(Duration.ofSeconds(10),
                    () -> totals(server).sessionsStarted() == sessions.get()),
                    () -> "streams served " + totals(server).sessionsStarted() + ", sessions " + sessions.get());
        }
    }

    private static StreamTotals totals(ServerFixture server) {
        var s = server.server().state().server();
        return new StreamTotals(s.framesSent(), s.framesSkipped(), s.bytesSent(), s.streamsServed());
    }
}
