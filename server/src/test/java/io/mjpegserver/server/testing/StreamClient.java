package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A plain socket client of {@code /stream}, reading strictly with {@link MultipartStreamReader}. */
public final class StreamClient implements AutoCloseable {

    private final Socket socket;
    private final MultipartStreamReader reader;

    private StreamClient(Socket socket, MultipartStreamReader reader) {
        this.socket = socket;
        this.reader = reader;
    }

    /** Connects, sends {@code GET path} with {@code httpVersion} ("1.1" or "1.0"), and reads the head. */
    public static StreamClient open(int port, String path, String httpVersion) throws IOException {
        Socket socket = Http.connect(port, Duration.ofSeconds(10));
        try {
            socket.getOutputStream().write(("GET " + path + " HTTP/" + httpVersion + "\r\nHost: 127.0.0.1\r\n\r\n").getBytes(US_ASCII));
            return new StreamClient(socket, new MultipartStreamReader(new BufferedInputStream(socket.getInputStream(), 65536)));
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    public MultipartStreamReader reader() {
        return reader;
    }

    public MultipartStreamReader.Part next() throws IOException {
        return reader.next();
    }

    /** A task reading {@code count} parts, handing each to {@code check}. */
    public static Callable<Void> reading(int port, int count, Consumer<MultipartStreamReader.Part> check) {
        return () -> {
            try (StreamClient client = open(port, "/stream", "1.1")) {
                for (int i = 0; i < count; i++) {
                    check.accept(client.next());
                }
            }
            return null;
        };
    }

    /** A task reading {@code path} until interrupted, adding each part to {@code parts}. */
    public static Callable<Void> counting(int port, String path, AtomicLong parts) {
        return counting(port, path, parts, new AtomicBoolean(), Duration.ofDays(1));
    }

    /** As {@link #counting(int, String, AtomicLong)}, ending also on {@code stop} or once {@code within} has passed. */
    public static Callable<Void> counting(int port, String path, AtomicLong parts, AtomicBoolean stop,
            Duration within) {
        return () -> {
            try (StreamClient client = open(port, path, "1.1")) {
                long deadline = System.nanoTime() + within.toNanos();
                while (!Thread.currentThread().isInterrupted() && !stop.get() && System.nanoTime() - deadline < 0) {
                    client.next();
                    parts.incrementAndGet();
                }
            }
            return null;
        };
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
