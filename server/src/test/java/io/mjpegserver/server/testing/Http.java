package io.mjpegserver.server.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain requests to the real server with the JDK's client, every one bounded in time. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /** A plain socket connected to the server on 127.0.0.1:{@code port} within 5 s, its reads bounded by {@code readTimeout}. */
    public static Socket connect(int port, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return socket;
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /** GET {@code url} with header name/value pairs. */
    public static HttpResponse<byte[]> get(String url, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public static HttpResponse<String> getText(String url, String... headers) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get(url, headers);
        return new TextResponse(response);
    }

    /** A byte response read as UTF-8 text. */
    private record TextResponse(HttpResponse<byte[]> bytes) implements HttpResponse<String> {
        @Override public int statusCode() { return bytes.statusCode(); }
        @Override public HttpRequest request() { return bytes.request(); }
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() { return bytes.headers(); }
        @Override public String body() { return new String(bytes.body(), java.nio.charset.StandardCharsets.UTF_8); }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return bytes.sslSession(); }
        @Override public URI uri() { return bytes.uri(); }
        @Override public HttpClient.Version version() { return bytes.version(); }
    }

    /** Polls {@code condition} until true or {@code timeout}; for state another thread changes with no event to wait on. */
    public static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The status {@code url} answers with, or -1 when it cannot be reached (a wait's condition polls this). */
    public static int status(String url) {
        try {
            return get(url).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
