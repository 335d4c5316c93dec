package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerProcess;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipelining flood of the adversarial run, on the real command in its own JVM at {@code -Xmx128m}: three
 * connections send requests in a loop and never read the answers (one {@code GET /snapshot} with the right
 * credentials, two answered 401), for 20 s, beside 5 stream clients. A connection whose answers are not read
 * is not read either, and is closed after the client timeout: the stream clients keep the source's rate and
 * the server's RSS stays within a bound, with no {@code OutOfMemoryError} at {@code -Xmx128m}.
 */
class RequestFloodTest {

    private static final int FPS = 30;
    private static final int READERS = 5;
    private static final Duration FLOOD = Duration.ofSeconds(20);
    /** What the flood may add to the server's RSS: a few answers per connection, and the JVM's own noise. */
    private static final long RSS_GROWTH_BOUND = 64L << 20;
    private static final String CREDENTIALS = "viewer:s3cret";

    @TempDir
    Path dir;

    @Test
    void pipelinedRequestsThatAreNeverReadCostNothing() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ServerProcess server = ServerProcess.start(dir, List.of("-Xmx128m"), "/healthz", "--test-pattern",
                "--size", "1280x720", "--fps", String.valueOf(FPS), "--auth", CREDENTIALS, "--log-level", "warn",
                // The flooders reconnect as soon as they are cut: what is measured is the requests, not their rate.
                "--max-connection-rate", "0")) {
            int port = server.port();
            long pid = server.process().pid();

            List<AtomicLong> frames = new ArrayList<>();
            List<Future<?>> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                AtomicLong count = new AtomicLong();
                frames.add(count);
                readers.add(pool.submit(() -> read(port, count)));
            }
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> frames.stream().allMatch(c -> c.get() > 0)),
                    "every stream client gets frames");
            long baseline = rss(pid);

            long deadline = System.nanoTime() + FLOOD.toNanos();
            AtomicLong requests = new AtomicLong();
            AtomicLong connections = new AtomicLong();
            String authorised = "GET /snapshot HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(US_ASCII)) + "\r\n\r\n";
            String unauthorised = "GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\n";
            List<Future<?>> flooders = new ArrayList<>();
            // The first stays under the codec's 128 pipelined requests, so the server must stop reading it and
            // close it after the client timeout; the others send far more, and the codec gives up on them.
            flooders.add(pool.submit(() -> flood(port, authorised, 100, 20, deadline, requests, connections)));
            for (int i = 0; i < 2; i++) {
                flooders.add(pool.submit(() -> flood(port, unauthorised, 64, 0, deadline, requests, connections)));
            }
            long[] before = counts(frames);
            long started = System.nanoTime();
            long peak = baseline;
            while (System.nanoTime() < deadline) {
                peak = Math.max(peak, rss(pid));
                TimeUnit.MILLISECONDS.sleep(250);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long[] after = counts(frames);
            for (Future<?> flooder : flooders) {
                flooder.get(10, TimeUnit.SECONDS);
            }
            double slowest = Double.MAX_VALUE;
            for (int i = 0; i < READERS; i++) {
                slowest = Math.min(slowest, (after[i] - before[i]) / seconds);
            }
            System.out.printf("flood: %d requests sent on %d connections in %.1f s; RSS %d MB before, peak %d MB"
                    + " (bound: +%d MB); slowest stream client %.1f fps of %d%n", requests.get(), connections.get(),
                    seconds, baseline >> 20, peak >> 20, RSS_GROWTH_BOUND >> 20, slowest, FPS);
            assertTrue(server.process().isAlive(), "the server is alive");
            assertTrue(server.answers("/healthz"), "and answers");
            assertTrue(!Files.readString(dir.resolve("server.err")).contains("OutOfMemoryError"), "no OutOfMemoryError");
            assertTrue(requests.get() > 1000, "the flood was a flood: " + requests.get());
            assertTrue(connections.get() > 3, "flooding connections were closed and came back: " + connections.get());
            assertTrue(peak - baseline <= RSS_GROWTH_BOUND,
                    "RSS grew " + ((peak - baseline) >> 20) + " MB, over the bound of " + (RSS_GROWTH_BOUND >> 20) + " MB");
            // The source's rate, with the margin a loaded 2-core machine needs.
            assertTrue(slowest >= FPS * 0.7, "the slowest stream client got " + slowest + " fps");
            for (Future<?> reader : readers) {
                reader.cancel(true);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /**
     * Sends {@code request} in bursts of {@code burst}, {@code pauseMillis} apart, without reading, until the
     * deadline; reconnects when closed. Counts the requests its socket took.
     */
    private static Void flood(int port, String request, int burst, int pauseMillis, long deadline, AtomicLong requests,
            AtomicLong connections) throws InterruptedException {
        byte[] bytes = request.repeat(burst).getBytes(US_ASCII);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                connections.incrementAndGet();
                OutputStream out = socket.getOutputStream();
                // A write blocks once the server stops reading; closing the socket at the deadline ends it.
                Thread closer = new Thread(() -> {
                    try {
                        TimeUnit.NANOSECONDS.sleep(Math.max(0, deadline - System.nanoTime()));
                        socket.close();
                    } catch (InterruptedException | IOException e) {
                        // Done either way.
                    }
                });
                closer.setDaemon(true);
                closer.start();
                while (System.nanoTime() < deadline) {
                    out.write(bytes);
                    requests.addAndGet(burst);
                    // Pacing the attack, not synchronising with anything.
                    TimeUnit.MILLISECONDS.sleep(pauseMillis);
                }
                closer.interrupt();
            } catch (IOException closedByTheServer) {
                // Reconnect and go on, as an attacker would.
            }
        }
        return null;
    }

    private static Void read(int port, AtomicLong frames) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.getOutputStream().write(("GET /stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(US_ASCII)) + "\r\n\r\n").getBytes(US_ASCII));
            MultipartStreamReader reader = new MultipartStreamReader(new BufferedInputStream(socket.getInputStream(), 65536));
            while (!Thread.currentThread().isInterrupted()) {
                reader.next();
                frames.incrementAndGet();
            }
        }
        return null;
    }

    private static long[] counts(List<AtomicLong> frames) {
        return frames.stream().mapToLong(AtomicLong::get).toArray();
    }

    /** The resident set size of process {@code pid}, in bytes. */
    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }
}
