package io.mjpegserver.server.config;

import java.time.Duration;
import java.util.List;

/**
 * How to serve, one immutable part per concern, each validated when built: a bad value is rejected with a message
 * naming the field, the value and what is expected. {@code tls} and {@code credentials} are {@code null} for plain
 * HTTP and no auth. Made by {@link #builder()}, or from another by {@link #toBuilder()}.
 */
public record ServerConfig(ListenConfig listening, TlsFiles tls, Credentials credentials, LimitsConfig limits,
        StreamConfig streaming, FeedsConfig feeds) {

    public ServerConfig {
        if (listening == null || limits == null || streaming == null || feeds == null) {
            throw new IllegalArgumentException("listening, limits, streaming and feeds: one is null (expected: all"
                    + " four, as ServerConfig.builder() makes them)");
        }
    }

    /** Every default: see {@link ListenConfig#DEFAULTS}, {@link LimitsConfig#DEFAULTS}, {@link StreamConfig#DEFAULTS}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's every value, to derive another from it. */
    public Builder toBuilder() {
        return new Builder().listening(listening).tls(tls).credentials(credentials).limits(limits).streaming(streaming)
                .feeds(feeds);
    }

    /** Collects settings one at a time; {@link #build()} validates each concern once. */
    public static final class Builder {
        private String host;
        private int port;
        private ListenSocket socket;
        private int ioThreads;
        private int sendBuffer;
        private TlsFiles tls;
        private Credentials credentials;
        private int maxClients;
        private int maxClientsPerAddress;
        private int maxConnectionRate;
        private Duration clientTimeout;
        private Duration requestTimeout;
        private String boundary;
        private Duration repeat;
        private String allowOrigin;
        private FeedsConfig feeds = FeedsConfig.NONE;

        private Builder() {
            listening(ListenConfig.DEFAULTS).limits(LimitsConfig.DEFAULTS).streaming(StreamConfig.DEFAULTS);
        }

        public Builder listening(ListenConfig listening) {
            return host(listening.host()).port(listening.port()).socket(listening.socket())
                    .ioThreads(listening.ioThreads()).sendBuffer(listening.sendBuffer());
        }

        public Builder limits(LimitsConfig limits) {
            return maxClients(limits.maxClients()).maxClientsPerAddress(limits.maxClientsPerAddress())
                    .maxConnectionRate(limits.maxConnectionRate()).clientTimeout(limits.clientTimeout())
                    .requestTimeout(limits.requestTimeout());
        }

        public Builder streaming(StreamConfig streaming) {
            return boundary(streaming.boundary()).repeat(streaming.repeat()).allowOrigin(streaming.allowOrigin());
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder socket(ListenSocket socket) {
            this.socket = socket;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder sendBuffer(int sendBuffer) {
            this.sendBuffer = sendBuffer;
            return this;
        }

        /** {@code null} for plain HTTP. */
        public Builder tls(TlsFiles tls) {
            this.tls = tls;
            return this;
        }

        /** {@code null} for no auth. */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder maxClients(int maxClients) {
            this.maxClients = maxClients;
            return this;
        }

        public Builder maxClientsPerAddress(int maxClientsPerAddress) {
            this.maxClientsPerAddress = maxClientsPerAddress;
            return this;
        }

        public Builder maxConnectionRate(int maxConnectionRate) {
            this.maxConnectionRate = maxConnectionRate;
            return this;
        }

        public Builder clientTimeout(Duration clientTimeout) {
            this.clientTimeout = clientTimeout;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder boundary(String boundary) {
            this.boundary = boundary;
            return this;
        }

        public Builder repeat(Duration repeat) {
            this.repeat = repeat;
            return this;
        }

        /** {@code null} for no CORS headers. */
        public Builder allowOrigin(String allowOrigin) {
            this.allowOrigin = allowOrigin;
            return this;
        }

        public Builder feeds(FeedsConfig feeds) {
            this.feeds = feeds;
            return this;
        }

        /** {@code feeds}, the first the default one. */
        public Builder feeds(List<FeedConfig> feeds) {
            return feeds(FeedsConfig.of(feeds));
        }

        /** An edge of {@code origin}: its every feed, relayed on demand. */
        public Builder mirror(MirrorConfig origin) {
            return feeds(FeedsConfig.edge(origin));
        }

        /** @throws IllegalArgumentException naming the first bad value and what is expected */
        public ServerConfig build() {
            return new ServerConfig(new ListenConfig(host, port, socket, ioThreads, sendBuffer), tls, credentials,
                    new LimitsConfig(maxClients, maxClientsPerAddress, maxConnectionRate, clientTimeout, requestTimeout),
                    new StreamConfig(boundary, repeat, allowOrigin), feeds);
        }
    }
}
