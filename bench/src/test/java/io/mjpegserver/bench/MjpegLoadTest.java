package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/mjpeg-load.c}, built with {@code cc}, against a small server that sends parts as the C floor does
 * (no {@code X-Frame-Sequence}, a stamp per client) with made-up stamps, so what the client must compute is known;
 * the stamps, not the clock, carry the differences asserted, with wide margins.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MjpegLoadTest {

    private static final int FPS = 30;
    private static final long PERIOD_MICROS = 1_000_000 / FPS;

    @TempDir
    static Path dir;
    private static Path load;

    @BeforeAll
    static void build() throws Exception {
        Path source = Path.of("mjpeg-load.c").toAbsolutePath();
        load = dir.resolve("mjpeg-load");
        Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-std=gnu11", "-o", load.toString(), source.toString())
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes(), US_ASCII);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc did not finish");
        assertEquals(0, cc.exitValue(), "cc " + source + ": " + out);
    }

    /** How the test server stamps and sends frame {@code k} in its round at {@code roundMicros}. */
    private enum Mode {
        /** Every part twice in a row, as the floor's second loop does when its timer fires first. */
        TWICE,
        /** One round per frame, client i stamped 10 ms earlier than client i - 1: the round began 100 ms before. */
        CHAIN,
        /** The chain for 11 clients; 20 more get each frame one round late, stamped then (the floor's race). */
        LATE
    }

    @Test
    void aPartWhoseJpegRepeatsThePreviousOneIsNotANewFrame() throws Exception {
        Map<String, Double> r = run(Mode.TWICE, 4);
        assertTrue(r.get("fps_median") < 40, "each frame counted once, not twice: " + r);
        assertTrue(r.get("fps_median") > 10, "frames still counted: " + r);
        assertEquals(0.0, r.get("invalid"), r.toString());
    }

    @Test
    void frameLatencyCountsFromTheFirstStampOfTheFrameAcrossClients() throws Exception {
        Map<String, Double> r = run(Mode.CHAIN, 11);
        // Own stamps: 0 to 100 ms old when sent, about 50 at the median. The round began 100 ms before any send.
        double own = r.get("latency_ms.p50");
        double frame = r.get("frame_latency_ms.p50");
        assertTrue(frame - own >= 25, "frame latency from the round's first stamp: " + r);
        assertTrue(frame >= 90, r.toString());
    }

    @Test
    void aFrameSentAgainInALaterRoundIsMeasuredFromThatRound() throws Exception {
        Map<String, Double> r = run(Mode.LATE, 31);
        // 20 of 31 clients get each frame a round late, stamped then: about 0 ms from their own round; counted
        // from the first stamp of the frame, they would be 133 ms and more.
        assertTrue(r.get("frame_latency_ms.p50") < 100, "the late copies from their own round: " + r);
        assertTrue(r.get("frame_latency_ms.p90") >= 90, "the chain's copies from its first stamp: " + r);
    }

    @Test
    void theServersCpuIsToldByThreadWithNumberedThreadsUnderOneName() throws Exception {
        AtomicBoolean spinning = new AtomicBoolean(true);
        long[] sink = new long[1];
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (spinning.get()) {
                x += System.nanoTime() & 1;
            }
            sink[0] = x;
        }, "test-spin-1");
        spinner.setDaemon(true);
        spinner.start();
        try {
            // This JVM as the server: its spinning thread is busy through the whole window.
            Map<String, Double> r = run(Mode.CHAIN, 4, "--server-pid", Long.toString(ProcessHandle.current().pid()));
            Double spin = r.get("server_threads.test-spin");
            assertTrue(spin != null && spin > 0.3, "the spinning thread, under its name without the number: " + r);
            assertFalse(r.containsKey("server_threads.test-spin-1"), r.toString());
            assertTrue(r.get("server_user_cores") > 0.3, "spinning is user time: " + r);
            assertTrue(r.get("server_cores") >= spin - 0.05, "the whole is at least the thread: " + r);
        } finally {
            spinning.set(false);
            spinner.join(10_000);
        }
    }

    /** Serves {@code clients} connections in {@code mode} while mjpeg-load measures them; its JSON line, flattened. */
    private static Map<String, Double> run(Mode mode, int clients, String... extra) throws Exception {
        try (ServerSocket server = new ServerSocket(0, clients + 8, InetAddress.getLoopbackAddress())) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Socket> sockets = new ArrayList<>();
            Thread sender = new Thread(() -> serve(server, clients, mode, sockets, running), "mjpeg-load-test-server");
            sender.setDaemon(true);
            sender.start();
            List<String> command = new ArrayList<>(List.of(load.toString(), "--port",
                    Integer.toString(server.getLocalPort()), "--clients", Integer.toString(clients), "--http10",
                    "--warmup", "0.5", "--duration", "2", "--fps", Integer.toString(FPS)));
            command.addAll(Arrays.asList(extra));
            Process client = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                String json = new String(client.getInputStream().readAllBytes(), US_ASCII);
                assertTrue(client.waitFor(60, TimeUnit.SECONDS), "mjpeg-load did not finish");
                assertEquals(0, client.exitValue(), json);
                return flatten(json);
            } finally {
                client.destroyForcibly();
                running.set(false);
                sender.join(10_000);
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    private static void serve(ServerSocket server, int clients, Mode mode, List<Socket> sockets, AtomicBoolean running) {
        try {
            List<OutputStream> outs = new ArrayList<>();
            server.setSoTimeout(30_000);
            for (int i = 0; i < clients; i++) {
                Socket socket = server.accept();
                synchronized (sockets) {
                    sockets.add(socket);
                }
                readHead(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=b\r\n\r\n--b\r\n")
                        .getBytes(US_ASCII));
                outs.add(out);
            }
            long start = System.nanoTime();
            long startMicros = System.currentTimeMillis() * 1000;
            for (int k = 1; running.get() && k < 30 * FPS; k++) {
                // On the frame clock, whenever this round really runs: the stamps' pattern is exact.
                long roundMicros = startMicros + (k - 1) * PERIOD_MICROS;
                for (int i = 0; i < clients; i++) {
                    OutputStream out = outs.get(i);
                    switch (mode) {
                        case TWICE -> {
                            out.write(part(k, roundMicros));
                            out.write(part(k, roundMicros));
                        }
                        case CHAIN -> out.write(part(k, roundMicros - 10_000L * i));
                        case LATE -> {
                            if (i < 11) {
                                out.write(part(k, roundMicros - 10_000L * i));
                            } else if (k > 1) {
                                // Frame k - 1, whose chain was stamped a round ago, from this round.
                                out.write(part(k - 1, roundMicros));
                            }
                        }
                    }
                    out.flush();
                }
                long next = start + k * PERIOD_MICROS * 1000;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the server's frame clock, not a synchronisation
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client is done (closed its connections) or the test ended: stop sending.
        }
    }

    /** Frame {@code k}'s part: a JPEG of its own bytes and length (60 frames, looped), stamped {@code micros}. */
    private static byte[] part(int k, long micros) {
        int index = k % 60;
        byte[] jpeg = new byte[200 + index % 7];
        jpeg[0] = (byte) 0xFF;
        jpeg[1] = (byte) 0xD8;
        for (int j = 2; j < jpeg.length - 2; j++) {
            jpeg[j] = (byte) (index + 1);
        }
        jpeg[jpeg.length - 2] = (byte) 0xFF;
        jpeg[jpeg.length - 1] = (byte) 0xD9;
        String head = "Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\nX-Timestamp: "
                + micros / 1_000_000 + "." + String.format("%06d", micros % 1_000_000) + "\r\n\r\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.getBytes(US_ASCII));
        bytes.writeBytes(jpeg);
        bytes.writeBytes("\r\n--b\r\n".getBytes(US_ASCII));
        return bytes.toByteArray();
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request ended");
            }
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
    }

    /** The JSON line's numbers, nested ones as {@code outer.inner}. */
    private static Map<String, Double> flatten(String json) throws IOException {
        Map<String, Double> values = new HashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            String outer = null;
            String field = null;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                switch (token) {
                    case FIELD_NAME -> field = parser.currentName();
                    case START_OBJECT -> outer = parser.getParsingContext().getParent().inRoot() ? null : field;
                    case END_OBJECT -> outer = null;
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                            values.put(outer == null ? field : outer + "." + field, parser.getDoubleValue());
                    default -> {
                    }
                }
            }
        }
        assertTrue(values.containsKey("frame_latency_ms.p50"), json);
        return values;
    }
}
