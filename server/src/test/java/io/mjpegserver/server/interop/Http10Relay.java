package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 that turns a client's {@code HTTP/1.1} request line into {@code HTTP/1.0} and
 * passes everything else through untouched, both ways. ffmpeg always asks in HTTP/1.1; through this relay it
 * gets, and must parse, our HTTP/1.0 answer: no chunking, the body ends when the connection closes.
 */
final class Http10Relay implements AutoCloseable {

    private final ServerSocket listener;
    private final int upstreamPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "http10-relay");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<String> statusLines = new CopyOnWriteArrayList<>();

    private Http10Relay(ServerSocket listener, int upstreamPort) {
        this.listener = listener;
        this.upstreamPort = upstreamPort;
    }

    /** Listens on a free port of 127.0.0.1, relaying to {@code upstreamPort} there. */
    static Http10Relay start(int upstreamPort) throws IOException {
        ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Http10Relay relay = new Http10Relay(listener, upstreamPort);
        relay.threads.execute(relay::acceptLoop);
        return relay;
    }

    String url(String path) {
        return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    /** The request lines as sent upstream, after the rewrite. */
    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    /** The first line of each upstream response. */
    List<String> statusLines() {
        return List.copyOf(statusLines);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket upstream = new Socket()) {
            sockets.add(upstream);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
            String head = readHead(client.getInputStream());
            int firstLineEnd = head.indexOf("\r\n");
            String requestLine = head.substring(0, firstLineEnd).replaceFirst(" HTTP/1\\.1$", " HTTP/1.0");
            requestLines.add(requestLine);
            upstream.getOutputStream().write((requestLine + head.substring(firstLineEnd)).getBytes(ISO_8859_1));
            threads.execute(() -> pipe(client, upstream, false));
            pipe(upstream, client, true);
        } catch (IOException e) {
            // One side went away: the relay of this connection is over.
        }
    }

    private void pipe(Socket from, Socket to, boolean recordStatus) {
        byte[] buffer = new byte[16 * 1024];
        ByteArrayOutputStream status = recordStatus ? new ByteArrayOutputStream() : null;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (status != null) {
                    for (int i = 0; i < n && status != null; i++) {
                        if (buffer[i] == '\r' || buffer[i] == '\n') {
                            statusLines.add(status.toString(ISO_8859_1));
                            status = null;
                        } else {
                            status.write(buffer[i]);
                        }
                    }
                }
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // A closed socket ends the pipe.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** The request head up to and including the blank line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 4 || !head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.size() > 16 * 1024) {
                throw new IOException("no complete request head");
            }
            head.write(b);
        }
        return head.toString(ISO_8859_1);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(Http10Relay::closeQuietly);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
