package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;

/**
 * A fake MJPEG camera on 127.0.0.1: each connection gets its request read, an optional silence, a
 * {@code multipart/x-mixed-replace} response, then part 0, 1, 2... paced at a fixed rate, until the part limit, the
 * peer leaving or {@link #close()}.
 *
 * <pre>{@code
 * try (MultipartUpstream camera = MultipartUpstream.builder().body(i -> jpeg).every(Duration.ofMillis(100)).start()) {
 *     ... new SourceSpec.Url(URI.create(camera.url())) ...
 * }
 * }</pre>
 *
 * Connections are served concurrently, each with its own part numbering. {@link #close()} closes the listening and
 * the accepted sockets and fails if a serving thread outlives {@link #CLOSE_WAIT}.
 */
public final class MultipartUpstream implements AutoCloseable {

    /** How long {@link #close()} waits for the serving threads to end. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(20);

    private static final String BOUNDARY = "frame";

    /** The Content-Length a part declares, given its number on the connection and its body. */
    @FunctionalInterface
    public interface DeclaredLength {
        int of(int part, byte[] body);
    }

    /** The configuration of a {@link MultipartUpstream}; {@link #start()} opens the socket. */
    public static final class Builder {

        private IntFunction<byte[]> body;
        private long periodNanos = TimeUnit.MILLISECONDS.toNanos(100);
        private long answerDelayNanos;
        private int partsPerConnection = Integer.MAX_VALUE;
        private boolean waitForSend;
        private DeclaredLength declaredLength = (part, body) -> body.length;

        private Builder() {
        }

        /** Every part is {@code jpeg} (default: {@code jpeg(64, 48)}). */
        public Builder body(byte[] jpeg) {
            return body(part -> jpeg);
        }

        /** Part {@code i} of a connection is {@code body.apply(i)}. */
        public Builder body(IntFunction<byte[]> body) {
            this.body = body;
            return this;
        }

        /** A part every {@code interval}, the first at once (default: 100 ms). */
        public Builder every(Duration interval) {
            this.periodNanos = interval.toNanos();
            return this;
        }

        /** {@code fps} parts a second, the first at once. */
        public Builder fps(double fps) {
            this.periodNanos = (long) (1e9 / fps);
            return this;
        }

        /** Silence for {@code delay} after the request before the response, as a camera that is slow to answer. */
        public Builder answerAfter(Duration delay) {
            this.answerDelayNanos = delay.toNanos();
            return this;
        }

        /** The connection ends after {@code parts} parts (default: no limit). */
        public Builder partsPerConnection(int parts) {
            this.partsPerConnection = parts;
            return this;
        }

        /** The response headers go out at once, the parts only after {@link MultipartUpstream#send()}. */
        public Builder waitForSend() {
            this.waitForSend = true;
            return this;
        }

        /** Each part declares this Content-Length (default: its body's length), to send miscounted parts. */
        public Builder declaredLength(DeclaredLength declaredLength) {
            this.declaredLength = declaredLength;
            return this;
        }

        public MultipartUpstream start() throws IOException {
            if (body == null) {
                body(jpeg(64, 48));
            }
            return new MultipartUpstream(this);
        }
    }

    private final IntFunction<byte[]> body;
    private final long periodNanos;
    private final long answerDelayNanos;
    private final int partsPerConnection;
    private final DeclaredLength declaredLength;
    private final CountDownLatch sending = new CountDownLatch(1);
    private final ServerSocket socket;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger partsSent = new AtomicInteger();
    private volatile boolean closed;

    private MultipartUpstream(Builder builder) throws IOException {
        this.body = builder.body;
        this.periodNanos = builder.periodNanos;
        this.answerDelayNanos = builder.answerDelayNanos;
        this.partsPerConnection = builder.partsPerConnection;
        this.declaredLength = builder.declaredLength;
        if (!builder.waitForSend) {
            sending.countDown();
        }
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:PORT/video.mjpg}. */
    public String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/video.mjpg";
    }

    /** Parts start (or keep) going out, on a camera built with {@link Builder#waitForSend()}. */
    public void send() {
        sending.countDown();
    }

    /** The connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** The parts written so far, over all connections. */
    public int partsSent() {
        return partsSent.get();
    }

    /** A black JPEG of {@code width} x {@code height}. */
    public static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A 64x48 JPEG padded to exactly {@code bytes} with COM segments after its SOI, which decoders skip: a part as
     * big as asked that still decodes.
     */
    public static byte[] padded(int bytes) {
        byte[] base = jpeg(64, 48);
        byte[] out = new byte[bytes];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        int at = 2;
        int padding = bytes - base.length;
        while (padding > 0) {
            int segment = Math.min(padding, 65535 + 2);
            if (padding - segment > 0 && padding - segment < 4) {
                segment -= 4;
            }
            out[at] = (byte) 0xFF;
            out[at + 1] = (byte) 0xFE;
            int length = segment - 2;
            out[at + 2] = (byte) (length >> 8);
            out[at + 3] = (byte) length;
            at += segment;
            padding -= segment;
        }
        System.arraycopy(base, 2, out, at, base.length - 2);
        return out;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                connections.incrementAndGet();
                clients.add(client);
                try {
                    pool.execute(() -> serve(client));
                } catch (RejectedExecutionException closing) {
                    client.close();
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; OutputStream out = client.getOutputStream()) {
            client.getInputStream().read(new byte[4096]);
            TimeUnit.NANOSECONDS.sleep(answerDelayNanos);
            out.write(("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=" + BOUNDARY + "\r\n\r\n")
                    .getBytes(US_ASCII));
            out.flush();
            while (!closed && !sending.await(100, TimeUnit.MILLISECONDS)) {
                // Connected, but silent until asked to send.
            }
            long next = System.nanoTime();
            for (int i = 0; i < partsPerConnection && !closed; i++) {
                byte[] part = body.apply(i);
                out.write(("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: "
                        + declaredLength.of(i, part) + "\r\n\r\n").getBytes(US_ASCII));
                out.write(part);
                out.write("\r\n".getBytes(US_ASCII));
                out.flush();
                partsSent.incrementAndGet();
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the camera's frame period, not a synchronisation
                } else {
                    next = System.nanoTime();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The peer left, or the camera was closed.
        } finally {
            clients.remove(client);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        pool.shutdownNow();
        for (Socket client : clients) {
            client.close(); // unblocks a write the peer is not reading
        }
        try {
            if (!pool.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the fake camera's threads still run " + CLOSE_WAIT + " after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
