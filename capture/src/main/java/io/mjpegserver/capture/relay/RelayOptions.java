package io.mjpegserver.capture.relay;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Limits and choices of one HTTP relay: validated once, immutable.
 *
 * @param maxPartBytes        the largest part accepted; a bigger one ends the connection
 * @param connectTimeout      for the connection and the TLS handshake
 * @param readTimeout         how long the upstream may send nothing
 * @param fps                 the polling rate of a single-JPEG upstream and the rate the watchdog expects; 0 when
 *                            not given (polled at {@value #DEFAULT_POLL_FPS} fps; a stream at its own rate)
 * @param trustAnyCertificate accept any TLS certificate, with no host name check ({@code relay-insecure})
 * @param trustedCertificates what an https upstream's certificate is checked against instead of the JDK's trust
 *                            store ({@code relay-ca}); empty for the JDK's
 */
public record RelayOptions(int maxPartBytes, Duration connectTimeout, Duration readTimeout, double fps,
        boolean trustAnyCertificate, List<X509Certificate> trustedCertificates) {

    public static final int DEFAULT_MAX_PART_BYTES = 8 * 1024 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final double DEFAULT_POLL_FPS = 2;

    /** 8 MiB parts, 5 s to connect, 10 s of silence, rate not given, the JDK's trust store. */
    public static final RelayOptions DEFAULTS = new RelayOptions(DEFAULT_MAX_PART_BYTES, DEFAULT_CONNECT_TIMEOUT,
            DEFAULT_READ_TIMEOUT, 0, false, List.of());

    public RelayOptions {
        if (maxPartBytes < 1024 || maxPartBytes > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("relay-max-part: " + maxPartBytes + " (expected: 1024 to 268435456)");
        }
        checkTimeout("relay-connect-timeout", connectTimeout);
        checkTimeout("relay-read-timeout", readTimeout);
        if (!(fps >= 0 && fps <= 1000)) {
            throw new IllegalArgumentException("fps: " + fps + " (expected: 0 to 1000, 0 for not given)");
        }
        trustedCertificates = List.copyOf(trustedCertificates);
        if (trustAnyCertificate && !trustedCertificates.isEmpty()) {
            throw new IllegalArgumentException("relay-ca and relay-insecure both given (expected: one of them)");
        }
    }

    public RelayOptions withFps(double newFps) {
        return new RelayOptions(maxPartBytes, connectTimeout, readTimeout, newFps, trustAnyCertificate, trustedCertificates);
    }

    public RelayOptions withMaxPartBytes(int newMaxPartBytes) {
        return new RelayOptions(newMaxPartBytes, connectTimeout, readTimeout, fps, trustAnyCertificate, trustedCertificates);
    }

    public RelayOptions withTimeouts(Duration newConnectTimeout, Duration newReadTimeout) {
        return new RelayOptions(maxPartBytes, newConnectTimeout, newReadTimeout, fps, trustAnyCertificate, trustedCertificates);
    }

    public RelayOptions withTrustAnyCertificate(boolean trustAny) {
        return new RelayOptions(maxPartBytes, connectTimeout, readTimeout, fps, trustAny, trustedCertificates);
    }

    public RelayOptions withTrustedCertificates(List<X509Certificate> certificates) {
        return new RelayOptions(maxPartBytes, connectTimeout, readTimeout, fps, trustAnyCertificate, certificates);
    }

    /** The rate a single-JPEG upstream is polled at. */
    double pollFps() {
        return fps > 0 ? fps : DEFAULT_POLL_FPS;
    }

    private static void checkTimeout(String name, Duration value) {
        if (value == null || value.compareTo(Duration.ofMillis(10)) < 0 || value.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 10 ms to 10 minutes)");
        }
    }
}
