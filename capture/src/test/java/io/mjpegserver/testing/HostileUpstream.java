package io.mjpegserver.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on 127.0.0.1 that takes every connection and then misbehaves, as an attacker's or a broken camera
 * would: it sends random bytes forever ({@link #garbage()}), or never says anything ({@link #silent()}). Any
 * protocol's client can be pointed at it (rtsp://, http://). Each connection is served for at most
 * {@link #MAX_LIFE}; {@link #close()} closes the port and every connection, and waits (bounded) for its threads.
 */
public final class HostileUpstream implements AutoCloseable {

    /** Should a test forget to close it, no connection outlives this. */
    static final Duration MAX_LIFE = Duration.ofMinutes(3);
    /** Garbage is sent in chunks this large, one every {@link #CHUNK_GAP_MILLIS}: about 160 KB/s, never silent. */
    private static final int CHUNK = 8192;
    private static final long CHUNK_GAP_MILLIS = 50;

    private final ServerSocket listening;
    private final boolean garbage;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private HostileUpstream(boolean garbage) throws IOException {
        this.garbage = garbage;
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("hostile-upstream-accept", this::accept);
    }

    /** Accepts, then writes random bytes for as long as the connection lasts. */
    public static HostileUpstream garbage() throws IOException {
        return new HostileUpstream(true);
    }

    /** Accepts, then never writes a byte (and reads whatever comes, so a client's writes never block). */
    public static HostileUpstream silent() throws IOException {
        return new HostileUpstream(false);
    }

    public int port() {
        return listening.getLocalPort();
    }

    /** {@code scheme://127.0.0.1:PORT/path}. */
    public String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + port() + path;
    }

    /** How many connections it has taken so far. */
    public int connections() {
        return connections.get();
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void accept() {
        try {
            while (!listening.isClosed()) {
                Socket socket = listening.accept();
                accepted.add(socket);
                connections.incrementAndGet();
                start("hostile-upstream-" + socket.getPort(), () -> serve(socket));
            }
        } catch (IOException closed) {
            // close(): the test is over.
        }
    }

    private void serve(Socket socket) {
        long end = System.nanoTime() + MAX_LIFE.toNanos();
        try (socket) {
            if (garbage) {
                Random random = new Random(socket.getPort());
                byte[] chunk = new byte[CHUNK];
                OutputStream out = socket.getOutputStream();
                while (System.nanoTime() - end < 0) {
                    random.nextBytes(chunk);
                    endlessLine(chunk);
                    out.write(chunk);
                    out.flush();
                    TimeUnit.MILLISECONDS.sleep(CHUNK_GAP_MILLIS);
                }
            } else {
                byte[] sink = new byte[CHUNK];
                socket.setSoTimeout((int) MAX_LIFE.toMillis());
                while (socket.getInputStream().read(sink) >= 0) {
                    // Whatever the client says goes unanswered.
                }
            }
        } catch (IOException | InterruptedException gone) {
            // The client left, or close().
        }
    }

    /**
     * No line ever ends, and nothing reads as an interleaved packet ({@code $}): a client that reads a reply line by
     * line reads forever, whatever the random bytes are, rather than giving up early on one it can parse.
     */
    private static void endlessLine(byte[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n' || chunk[i] == '\r' || chunk[i] == '$') {
                chunk[i] = 'x';
            }
        }
    }

    @Override
    public void close() throws IOException {
        listening.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
