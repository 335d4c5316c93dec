package io.mjpegserver.server.config;

import io.mjpegserver.server.stream.MultipartFormat;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to serve: validated once, immutable. A bad value is rejected with a message naming the field, the
 * value and what is expected.
 *
 * @param host                  address to bind, e.g. {@code 0.0.0.0}
 * @param port                  TCP port; 0 picks a free one
 * @param boundary              the multipart boundary
 * @param clientTimeout         how long a client's socket may take to accept one whole part (stream) or answer (requests); a client slower than that, or stalled, is closed. It bounds how long a stalled client pins a frame
 * @param repeat                how long without a new frame before the newest is sent again
 * @param ioThreads             event loop threads; 0 means one per core
 * @param sendBuffer            each client socket's kernel send buffer ({@code SO_SNDBUF}) in bytes; 0 leaves it to the kernel's autotuning, which lets a slow client fall megabytes (seconds of video) behind
 * @param maxClients            most stream clients at once; 0 for no limit
 * @param maxClientsPerAddress  most stream clients from one IP address at once; 0 for no limit
 * @param requestTimeout        how long a connection may take to send complete request headers (and may idle between keep-alive requests)
 * @param credentials           HTTP Basic credentials every endpoint but {@code /healthz} requires, or {@code null} for none
 * @param tls                   PEM certificate and key to serve HTTPS, or {@code null} for plain HTTP
 * @param allowOrigin           the CORS origin allowed ({@code *} for any), or {@code null} for no CORS headers
 * @param maxConnectionRate     new connections one IP address may open per second (and five seconds' worth at once); past it they are closed at once; 0 for no limit
 */
public record ServerConfig(String host, int port, String boundary, Duration clientTimeout, Duration repeat, int ioThreads, int sendBuffer, int maxClients, int maxClientsPerAddress, Duration requestTimeout, Credentials credentials, TlsFiles tls, String allowOrigin, int maxConnectionRate) {

    /** Enough for several 1080p frames in flight; small enough that a slow client skips to fresh frames. */
    public static final int DEFAULT_SEND_BUFFER = 512 * 1024;
    public static final int DEFAULT_MAX_CLIENTS = 1000;

    /** HTTP Basic credentials. No message about them ever holds the password. */
    public record Credentials(String user, String password) {
        public Credentials {
            if (user == null || user.isEmpty()) {
                throw new IllegalArgumentException("empty user name (expected: USER:PASSWORD)");
            }
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("user name '" + user + "' holds a ':' (expected: USER:PASSWORD, the user without ':')");
            }
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("empty password (expected: USER:PASSWORD)");
            }
        }

        /**
         * Parses {@code user:password} (the password may contain ':'). A rejection never quotes the text, which
         * may be a password alone; the caller prefixes where the text came from.
         */
        public static Credentials parse(String text) {
            int colon = text == null ? -1 : text.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("no ':' in the value (expected: USER:PASSWORD)");
            }
            return new Credentials(text.substring(0, colon), text.substring(colon + 1));
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=***]";
        }
    }

    /** A PEM certificate chain and its PKCS#8 PEM private key. */
    public record TlsFiles(Path certificate, Path key) {
        public TlsFiles {
            if (certificate == null || key == null) {
                throw new IllegalArgumentException("tls: both a certificate and a key are needed (expected: --tls-cert and --tls-key)");
            }
        }
    }

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: an address such as 0.0.0.0 or 127.0.0.1)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
        }
        MultipartFormat.checkBoundary(boundary);
        if (clientTimeout == null || clientTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("clientTimeout: " + clientTimeout + " (expected: at least 100 ms)");
        }
        if (repeat == null || repeat.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("repeat: " + repeat + " (expected: at least 10 ms)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
        if (sendBuffer != 0 && (sendBuffer < 4096 || sendBuffer > 64 * 1024 * 1024)) {
            throw new IllegalArgumentException("sendBuffer: " + sendBuffer + " (expected: 0 for the kernel's autotuning, or 4 KiB to 64 MiB)");
        }
        if (maxClients < 0) {
            throw new IllegalArgumentException("maxClients: " + maxClients + " (expected: 0 for no limit, or > 0)");
        }
        if (maxConnectionRate < 0) {
            throw new IllegalArgumentException("maxConnectionRate: " + maxConnectionRate + " (expected: 0 for no limit, or > 0)");
        }
        if (maxClientsPerAddress < 0) {
            throw new IllegalArgumentException("maxClientsPerAddress: " + maxClientsPerAddress + " (expected: 0 for no limit, or > 0)");
        }
        if (requestTimeout == null || requestTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: at least 100 ms)");
        }
        if (allowOrigin != null && allowOrigin.isBlank()) {
            throw new IllegalArgumentException("allowOrigin: '' (expected: an origin such as https://nvr.example or *)");
        }
    }

    /**
     * Defaults: all addresses, port 8080, mjpg-streamer's boundary, 3 s client timeout, 1 s repeat, 512 KiB
     * send buffers, 1000 stream clients, no per-address limit, 10 s to send a request, no auth, no TLS, no CORS, no
     * limit on new connections per address (the command's is {@code --max-connection-rate}'s default).
     */
    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", 8080, MultipartFormat.DEFAULT_BOUNDARY, Duration.ofSeconds(3),
                Duration.ofSeconds(1), 0, DEFAULT_SEND_BUFFER, DEFAULT_MAX_CLIENTS, 0, Duration.ofSeconds(10), null, null, null, 0);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withBoundary(String boundary) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withClientTimeout(Duration clientTimeout) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withRepeat(Duration repeat) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withIoThreads(int ioThreads) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withSendBuffer(int sendBuffer) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withMaxClients(int maxClients) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withMaxConnectionRate(int maxConnectionRate) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withMaxClientsPerAddress(int maxClientsPerAddress) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withRequestTimeout(Duration requestTimeout) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withCredentials(Credentials credentials) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withTls(TlsFiles tls) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }

    public ServerConfig withAllowOrigin(String allowOrigin) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer, maxClients, maxClientsPerAddress, requestTimeout, credentials, tls, allowOrigin, maxConnectionRate);
    }
}
