package io.mjpegserver.server.config;

import java.time.Duration;

/**
 * What one client, or one address, may take of the server. Validated once, immutable.
 *
 * @param maxClients           most stream clients at once; 0 for no limit
 * @param maxClientsPerAddress most stream clients from one IP address at once; 0 for no limit
 * @param maxConnectionRate    new connections one IP address may open per second (and five seconds' worth at once);
 *                             past it they are closed at once; 0 for no limit
 * @param clientTimeout        how long a client may take to accept one whole part or answer; a slower client is
 *                             closed, which bounds how long it pins a frame
 * @param requestTimeout       how long a connection may take to send its request headers, or idle between requests
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
