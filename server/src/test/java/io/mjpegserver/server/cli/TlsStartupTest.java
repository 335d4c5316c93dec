package io.mjpegserver.server.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.cli.ServeCommandTest.Run;
import io.mjpegserver.server.testing.Certificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS files are checked when the server starts, so a mistake is one line and exit status 1, not a server
 * that starts and then fails every handshake. The certificates and keys are made by {@code openssl} here.
 */
class TlsStartupTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeCertificatesAndKeys() throws Exception {
        Certificates.rsa(dir, "cert.pem", "key.pem", "localhost");
        Certificates.rsa(dir, "other-cert.pem", "other-key.pem", "localhost");
        Certificates.ec(dir, "ec-cert.pem", "ec-key.pem", "localhost");
        // The same RSA key as PKCS#1 (BEGIN RSA PRIVATE KEY), as older tools and certbot's RSA keys come.
        Certificates.openssl(dir, "rsa", "-in", "key.pem", "-traditional", "-out", "rsa-key.pem");
        // Encrypted: PKCS#8 (BEGIN ENCRYPTED PRIVATE KEY) and the traditional form (Proc-Type: 4,ENCRYPTED).
        Certificates.openssl(dir, "pkcs8", "-topk8", "-in", "key.pem", "-v2", "aes-256-cbc", "-passout", "pass:secret", "-out", "encrypted-key.pem");
        Certificates.openssl(dir, "rsa", "-in", "key.pem", "-aes256", "-traditional", "-passout", "pass:secret", "-out", "encrypted-rsa-key.pem");
        Files.writeString(dir.resolve("not-pem.pem"), "this is not a certificate\n");
        assertTrue(Files.readString(dir.resolve("rsa-key.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(Files.readString(dir.resolve("encrypted-rsa-key.pem")).contains("Proc-Type: 4,ENCRYPTED"));
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    private static Serving start(String cert, String key) {
        return Serving.start("--test-pattern", "--host", "127.0.0.1", "--port", "0", "--size", "320x240",
                "--tls-cert", cert, "--tls-key", key);
    }

    /** Runs the command; it must refuse to start (a server that starts instead fails the test, and is stopped). */
    private static Run refused(String cert, String key) throws Exception {
        try (Serving serving = start(cert, key)) {
            Run refused = serving.refused();
            assertEquals(1, refused.exit(), refused.err());
            return refused;
        }
    }

    /** Starts with {@code cert} and {@code key} and completes a TLS handshake that trusts exactly {@code cert}. */
    private static void serves(String cert, String key) throws Exception {
        serves(cert, key, cert);
    }

    /** As {@link #serves(String, String)}, trusting exactly the certificate in the PEM file {@code trusted}. */
    private static void serves(String cert, String key, String trustedCert) throws Exception {
        try (Serving serving = start(cert, key)) {
            int port = serving.awaitStarted().port();
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            try (InputStream in = Files.newInputStream(Path.of(trustedCert))) {
                trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                out.write("GET /state HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                out.flush();
                String head = new String(socket.getInputStream().readNBytes(15), US_ASCII);
                assertEquals("HTTP/1.0 200 OK", head);
            }
            assertEquals(0, serving.stop().exit());
        }
    }

    @Test
    void aMatchingRsaOrEcPairServesHttps() throws Exception {
        serves(file("cert.pem"), file("key.pem"));
        serves(file("ec-cert.pem"), file("ec-key.pem"));
    }

    @Test
    void oneFileHoldingTheCertificateAndItsKeyServesAsBoth() throws Exception {
        String cert = Files.readString(dir.resolve("cert.pem"));
        String key = Files.readString(dir.resolve("key.pem"));
        Files.writeString(dir.resolve("cert-then-key.pem"), cert + key);
        Files.writeString(dir.resolve("key-then-cert.pem"), key + cert);
        serves(file("cert-then-key.pem"), file("cert-then-key.pem"), file("cert.pem"));
        serves(file("key-then-cert.pem"), file("key-then-cert.pem"), file("cert.pem"));
    }

    /** BoringSSL, the default engine, takes no Ed448 key: the JDK's engine serves it instead. */
    @Test
    void anEd448KeyIsServedByTheJdksEngine() throws Exception {
        Certificates.openssl(dir, "genpkey", "-algorithm", "ed448", "-out", "ed448-key.pem");
        Certificates.openssl(dir, "req", "-x509", "-key", "ed448-key.pem", "-out", "ed448-cert.pem", "-days", "2",
                "-subj", "/CN=localhost");
        serves(file("ed448-cert.pem"), file("ed448-key.pem"));
    }

    @Test
    void aPkcs1RsaKeyIsAccepted() throws Exception {
        serves(file("cert.pem"), file("rsa-key.pem"));
    }

    @Test
    void aKeyThatIsNotTheCertificatesNamesBothFiles() throws Exception {
        String expected = "mjpeg-server: --tls-key %s does not belong to --tls-cert %s (the certificate is for another key):"
                + " give the key the certificate was made for";
        assertEquals(String.format(expected, file("other-key.pem"), file("cert.pem")),
                refused(file("cert.pem"), file("other-key.pem")).errLine());
        assertEquals(String.format(expected, file("ec-key.pem"), file("cert.pem")),
                refused(file("cert.pem"), file("ec-key.pem")).errLine());
    }

    @Test
    void anEncryptedKeySaysSoAndHowToDecryptIt() throws Exception {
        for (String key : List.of(file("encrypted-key.pem"), file("encrypted-rsa-key.pem"))) {
            assertEquals("mjpeg-server: --tls-key " + key + " is encrypted, which is not supported: decrypt it with"
                    + " openssl pkcs8 -topk8 -nocrypt -in " + key + " -out key-decrypted.pem (it asks for the passphrase)",
                    refused(file("cert.pem"), key).errLine());
        }
    }

    @Test
    void aMissingOrWrongFileSaysWhich() throws Exception {
        assertEquals("mjpeg-server: --tls-cert " + file("missing.pem") + " does not exist",
                refused(file("missing.pem"), file("key.pem")).errLine());
        assertEquals("mjpeg-server: --tls-key " + file("missing.pem") + " does not exist",
                refused(file("cert.pem"), file("missing.pem")).errLine());
        assertEquals("mjpeg-server: --tls-cert " + file("key.pem") + " holds a private key, not a certificate:"
                + " are --tls-cert and --tls-key swapped?", refused(file("key.pem"), file("cert.pem")).errLine());
        assertEquals("mjpeg-server: --tls-cert " + file("not-pem.pem") + " holds no PEM certificate"
                + " (expected: -----BEGIN CERTIFICATE-----)", refused(file("not-pem.pem"), file("key.pem")).errLine());
        assertEquals("mjpeg-server: --tls-key " + file("not-pem.pem") + " holds no PEM private key"
                + " (expected: -----BEGIN PRIVATE KEY-----)", refused(file("cert.pem"), file("not-pem.pem")).errLine());
    }
}
