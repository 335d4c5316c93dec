package io.mjpegserver.server.config;

import java.time.Duration;

/**
 * What clients may take of the server: stream clients in all and per IP address, new connections per address and
 * second (five seconds' worth at once), each 0 for no limit; how long a client may take to accept a part or an
 * answer (which bounds how long it pins a frame), and to send its request headers. Validated once, immutable.
 */
public record LimitsConfig(int maxClients, int maxClientsPerAddress, int maxConnectionRate, Duration clientTimeout,
        Duration requestTimeout) {

    public static final int DEFAULT_MAX_CLIENTS = 1000;

    /**
     * 1000 stream clients, no limit per address or on new connections (the command's is
     * {@code --max-connection-rate}'s default), 3 s client timeout, 10 s to send a request.
     */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(DEFAULT_MAX_CLIENTS, 0, 0, Duration.ofSeconds(3),
            Duration.ofSeconds(10));

    public LimitsConfig {
        if (clientTimeout == null || clientTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("clientTimeout: " + clientTimeout + " (expected: at least 100 ms)");
        }
        checkLimit("maxClients", maxClients);
        checkLimit("maxConnectionRate", maxConnectionRate);
        checkLimit("maxClientsPerAddress", maxClientsPerAddress);
        if (requestTimeout == null || requestTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: at least 100 ms)");
        }
    }

    private static void checkLimit(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0 for no limit, or > 0)");
        }
    }
}
