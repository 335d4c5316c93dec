package io.mjpegserver.server.config;

/**
 * Where and how the server listens: TCP on {@code host} and {@code port} (0 picks a free one) unless {@code socket}
 * is a unix or an inherited one; {@code ioThreads} event loops (0: one per core); each client's {@code SO_SNDBUF}
 * in bytes (0 leaves it to the kernel, and a slow client lags). Validated once, immutable.
 */
public record ListenConfig(String host, int port, ListenSocket socket, int ioThreads, int sendBuffer) {

    /** Enough for several 1080p frames in flight; small enough that a slow client skips to fresh frames. */
    public static final int DEFAULT_SEND_BUFFER = 512 * 1024;

    /** All addresses, port 8080, TCP, one event loop per core, {@link #DEFAULT_SEND_BUFFER}. */
    public static final ListenConfig DEFAULTS = new ListenConfig("0.0.0.0", 8080, ListenSocket.TCP, 0, DEFAULT_SEND_BUFFER);

    public ListenConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: an address such as 0.0.0.0 or 127.0.0.1)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
        }
        if (socket == null) {
            throw new IllegalArgumentException("socket: null (expected: ListenSocket.TCP, a unix or an inherited socket)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
        if (sendBuffer != 0 && (sendBuffer < 4096 || sendBuffer > 64 * 1024 * 1024)) {
            throw new IllegalArgumentException("sendBuffer: " + sendBuffer + " (expected: 0 for the kernel's autotuning, or 4 KiB to 64 MiB)");
        }
    }
}
