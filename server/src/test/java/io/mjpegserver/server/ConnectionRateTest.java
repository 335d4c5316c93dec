package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.server.testing.StreamClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rapid-reset client that reconnects as soon as its connection is cut (the codec cuts each after 200 resets):
 * past {@code --max-connection-rate} per second (five seconds' worth at once) its new connections are closed before
 * a byte is read. A viewer from the same address, connected before, keeps its stream at its rate, and the log says
 * what happened in a few throttled lines, without a stack trace.
 */
class ConnectionRateTest {

    private static final int RATE = 5;
    private static final int ATTEMPTS = 150;
    private static final int RESETS_PER_CONNECTION = 300;
    private static final int FPS = 30;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] PREFACE = preface();

    @TempDir
    Path dir;

    @Test
    void aReconnectingRapidResetIsCutAndOthersKeepTheirStream() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "/healthz", "--test-pattern", "--size", "320x240",
                "--fps", String.valueOf(FPS), "--max-connection-rate", String.valueOf(RATE))) {
            ExecutorService viewerThread = Executors.newSingleThreadExecutor();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong viewerFrames = new AtomicLong();
            try {
                Future<Void> viewer = viewerThread.submit(StreamClient.counting(server.port(), "/stream", viewerFrames,
                        stop, WAIT.multipliedBy(2)));
                assertTrue(Http.eventually(WAIT, () -> viewerFrames.get() >= FPS), "the viewer's first frames");
                Path log = dir.resolve("server.err");
                long logBefore = Files.size(log);

                byte[] attack = rapidReset();
                int refused = 0;
                int attempts = 0;
                long start = System.nanoTime();
                long framesAtStart = viewerFrames.get();
                long deadline = start + WAIT.toNanos();
                for (; attempts < ATTEMPTS && System.nanoTime() < deadline; attempts++) {
                    if (attackOnce(server.port(), attack) == 0) {
                        refused++;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double viewerFps = (viewerFrames.get() - framesAtStart) / seconds;
                stop.set(true);
                viewer.get(WAIT.toSeconds(), TimeUnit.SECONDS);

                // The server's lines about it come at once; a second more for the last of them.
                Http.eventually(Duration.ofSeconds(1), () -> false);
                List<String> lines = new String(Files.readAllBytes(log), US_ASCII).substring((int) logBefore).lines()
                        .filter(l -> !l.contains("StreamSession")).toList();
                System.out.printf("reconnecting rapid reset: %d connections in %.1f s, %d refused at once; the viewer"
                        + " got %.1f fps; %d log lines%n", attempts, seconds, refused, viewerFps, lines.size());
                // Five seconds' worth at once, then the rate: the rest are refused.
                long admissible = RATE * 5L + Math.round(RATE * seconds) + 1;
                assertTrue(attempts - refused <= admissible, (attempts - refused) + " of " + attempts
                        + " connections were served (expected: at most " + admissible + ")");
                assertTrue(refused > 0, "no connection was refused");
                assertTrue(viewerFps >= FPS / 3.0, "the viewer got " + viewerFps + " fps meanwhile");
                String joined = String.join("\n", lines);
                assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")),
                        "a stack trace in the log:\n" + joined);
                assertTrue(lines.size() <= 8, "the log grew by " + lines.size() + " lines:\n" + joined);
                assertTrue(joined.contains("refusing new connections from 127.0.0.1"), "no line says so:\n" + joined);
            } finally {
                stop.set(true);
                viewerThread.shutdownNow();
            }
        }
    }

    /** HTTP/2's preface and SETTINGS. */
    private static byte[] preface() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII));
        frame(out, 4, 0, 0, new byte[0]);
        return out.toByteArray();
    }

    /** Streams each opened and reset at once. */
    private static byte[] rapidReset() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82);
        block.write(0x86);
        block.write(0x04);
        block.write(8);
        block.writeBytes("/healthz".getBytes(US_ASCII));
        byte[] headers = block.toByteArray();
        for (int i = 0; i < RESETS_PER_CONNECTION; i++) {
            int stream = 1 + 2 * i;
            frame(out, 1, 5, stream, headers);
            frame(out, 3, 0, stream, new byte[] {0, 0, 0, 8});
        }
        return out.toByteArray();
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.writeBytes(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        out.writeBytes(payload);
    }

    /**
     * One connection of the attack: the preface, and once the server answered with its SETTINGS, the resets; the
     * bytes the server sent, 0 when it closed the connection before a byte (refused).
     */
    private static long attackOnce(int port, byte[] attack) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            try {
                socket.getOutputStream().write(PREFACE);
                if (in.readNBytes(9).length < 9) {
                    return 0;
                }
            } catch (IOException refused) {
                return 0;
            }
            long read = 9;
            try {
                socket.getOutputStream().write(attack);
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    read += n;
                }
            } catch (IOException cut) {
                // The server closed with our bytes unread (a reset): the connection was served, then cut.
            }
            return read;
        }
    }
}
