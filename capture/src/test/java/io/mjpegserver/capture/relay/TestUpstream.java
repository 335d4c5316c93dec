package io.mjpegserver.capture.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream for relay tests on plain sockets (127.0.0.1, port 0), so each test writes exactly the bytes a
 * camera would, good or bad. Each connection runs the test's {@link Script} on a thread of its own.
 */
final class TestUpstream implements AutoCloseable {

    interface Script {
        void serve(Exchange exchange) throws Exception;
    }

    /** One accepted connection. */
    static final class Exchange {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final int index;
        private final List<String> requests;

        Exchange(Socket socket, int index, List<String> requests) throws IOException {
            this.requests = requests;
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.index = index;
        }

        /** The next request's head (request line and headers), or {@code null} when the client closed first. */
        String readRequest() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String request = head.toString(StandardCharsets.ISO_8859_1);
            requests.add(request);
            return request;
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Blocks until the client closes the connection (or it breaks). */
        void holdUntilClientCloses() {
            try {
                while (in.read() >= 0) {
                    // a relay sends nothing more after its request
                }
            } catch (IOException e) {
                // closed
            }
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Connections whose script has returned (for most scripts: the client went away). */
    final AtomicInteger finished = new AtomicInteger();

    TestUpstream(Script script) throws IOException {
        this(new ServerSocket(), script);
    }

    /** On {@code server} (unbound: an {@code SSLServerSocket} for https), bound here to 127.0.0.1, port 0. */
    TestUpstream(ServerSocket server, Script script) throws IOException {
        this.server = server;
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.script = script;
        this.acceptor = new Thread(this::accept, "test-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    URI uri(String userInfo, String pathAndQuery) {
        return URI.create("http://" + userInfo + "@127.0.0.1:" + port() + pathAndQuery);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(socket);
            int index = connections.getAndIncrement();
            Thread thread = new Thread(() -> run(socket, index), "test-upstream-" + index);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(Socket socket, int index) {
        try (socket) {
            script.serve(new Exchange(socket, index, requests));
        } catch (Exception e) {
            // the relay went away mid-write: what every streaming script ends with
        } finally {
            finished.incrementAndGet();
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        acceptor.join(5000);
        for (Thread thread : new ArrayList<>(threads)) {
            thread.join(5000);
        }
    }
}
