package io.mjpegserver.server.config;

import java.nio.file.Path;

/** HTTPS: a PEM certificate chain and its PEM private key, read when the server starts. */
public record TlsFiles(Path certificate, Path key) {

    public TlsFiles {
        if (certificate == null || key == null) {
            throw new IllegalArgumentException("tls: both a certificate and a key are needed (expected: --tls-cert and --tls-key)");
        }
    }
}
