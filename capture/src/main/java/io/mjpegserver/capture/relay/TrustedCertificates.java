package io.mjpegserver.capture.relay;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The certificates of a PEM file ({@code relay-ca}): a camera's own self-signed certificate, or the CA that signed it. */
public final class TrustedCertificates {

    /** More than any CA bundle a user would give: a bigger file is not a certificate file. */
    private static final long MAX_BYTES = 4L * 1024 * 1024;

    private TrustedCertificates() {
    }

    /**
     * The X.509 certificates in {@code file}, at least one.
     *
     * @throws IllegalArgumentException in words for users, naming the file: missing, unreadable, or no certificate
     */
    public static List<X509Certificate> read(Path file) {
        String expected = " (expected: a PEM file holding the camera's certificate or its CA's, -----BEGIN CERTIFICATE-----)";
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + (Files.exists(file) ? " is not a regular file" : " does not exist")
                        + expected);
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + " is over " + (MAX_BYTES >> 20) + " MiB" + expected);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read (" + e.getClass().getSimpleName()
                    + ": check its permissions)" + expected);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                if (certificate instanceof X509Certificate x509) {
                    certificates.add(x509);
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds no certificate we can read" + expected);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no certificate" + expected);
        }
        return List.copyOf(certificates);
    }
}
