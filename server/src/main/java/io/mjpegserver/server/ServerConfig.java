package io.mjpegserver.server;

import io.mjpegserver.server.stream.MultipartFormat;
import java.time.Duration;

/**
 * How to serve: validated once, immutable.
 *
 * @param host          address to bind, e.g. {@code 0.0.0.0}
 * @param port          TCP port; 0 picks a free one
 * @param boundary      the multipart boundary
 * @param clientTimeout how long a stream client may stay unwritable before it is closed
 * @param repeat        how long without a new frame before the newest is sent again
 * @param ioThreads     event loop threads; 0 means one per core
 * @param sendBuffer    each client socket's kernel send buffer ({@code SO_SNDBUF}) in bytes; 0 leaves it to the
 *                      kernel's autotuning, which lets a slow client fall megabytes (seconds of video) behind
 */
public record ServerConfig(String host, int port, String boundary, Duration clientTimeout, Duration repeat, int ioThreads,
        int sendBuffer) {

    /** Enough for several 1080p frames in flight; small enough that a slow client skips to fresh frames. */
    public static final int DEFAULT_SEND_BUFFER = 512 * 1024;

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
    }

    /** Defaults: all addresses, port 8080, mjpg-streamer's boundary, 10 s client timeout, 1 s repeat. */
    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", 8080, MultipartFormat.DEFAULT_BOUNDARY, Duration.ofSeconds(10),
                Duration.ofSeconds(1), 0, DEFAULT_SEND_BUFFER);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }

    public ServerConfig withBoundary(String boundary) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }

    public ServerConfig withClientTimeout(Duration clientTimeout) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }

    public ServerConfig withSendBuffer(int sendBuffer) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }

    public ServerConfig withRepeat(Duration repeat) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }

    public ServerConfig withIoThreads(int ioThreads) {
        return new ServerConfig(host, port, boundary, clientTimeout, repeat, ioThreads, sendBuffer);
    }
}
