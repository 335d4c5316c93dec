package io.mjpegserver.capture.relay;

import static io.mjpegserver.capture.relay.HttpRelaySourceTest.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https upstream with a self-signed certificate (made by the JDK's keytool): refused with the JDK's trust
 * store, relayed when the user gives that certificate ({@code relay-ca}) or explicitly trusts any certificate
 * ({@code relay-insecure}). A camera certificate signed by a CA the user gives is relayed for its host name only.
 */
class HttpsRelayTest {

    @RegisterExtension
    static final RelayLoops relays = new RelayLoops();

    private static final List<byte[]> JPEGS = TestJpegs.make(3, 160, 120);
    private static final String NOT_TRUSTED = " presented a TLS certificate that is not trusted or not for this host"
            + " name (for a camera's self-signed certificate: trust it with --relay-ca FILE, or skip the check with"
            + " --relay-insecure)";

    @TempDir
    static Path dir;
    private static SSLContext tls;
    private static SSLContext signedTls;

    @BeforeAll
    static void start() throws Exception {
        keytool("-genkeypair", "-keystore", "camera.p12", "-alias", "camera", "-keyalg", "EC", "-dname", "CN=camera",
                "-ext", "san=ip:127.0.0.1", "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", "camera.p12", "-alias", "camera", "-file", "camera.pem");
        tls = serverContext("camera.p12");
        // A CA, and a camera certificate it signed for 127.0.0.1, installed with its chain.
        keytool("-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=camera CA",
                "-ext", "bc:c", "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", "ca.p12", "-alias", "ca", "-file", "ca.pem");
        keytool("-genkeypair", "-keystore", "signed.p12", "-alias", "camera", "-keyalg", "EC", "-dname", "CN=signed camera",
                "-validity", "2");
        keytool("-certreq", "-keystore", "signed.p12", "-alias", "camera", "-file", "camera.csr");
        keytool("-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "camera.csr", "-outfile", "signed.pem",
                "-rfc", "-ext", "san=ip:127.0.0.1", "-validity", "2");
        keytool("-importcert", "-noprompt", "-keystore", "signed.p12", "-alias", "ca", "-file", "ca.pem");
        keytool("-importcert", "-noprompt", "-keystore", "signed.p12", "-alias", "camera", "-file", "signed.pem");
        signedTls = serverContext("signed.p12");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", "changeit"));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("keytool " + args[0] + " failed: " + Files.readString(dir.resolve("keytool.log")));
        }
    }

    private static SSLContext serverContext(String keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(keystore))) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static TestUpstream camera() throws Exception {
        return camera(tls);
    }

    private static TestUpstream camera(SSLContext tls) throws Exception {
        return new TestUpstream(tls.getServerSocketFactory().createServerSocket(), exchange -> {
            exchange.readRequest();
            exchange.write(MjpegDialect.STANDARD.head());
            for (int i = 0; i < JPEGS.size(); i++) {
                MjpegDialect.writeBody(exchange, true, MjpegDialect.STANDARD.part(i, JPEGS.get(i)), new Random(i));
            }
            exchange.holdUntilClientCloses();
        });
    }

    @Test
    void selfSignedRelayedWhenTrustedExplicitly() throws Exception {
        try (TestUpstream upstream = camera()) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("https://127.0.0.1:" + upstream.port() + "/video"),
                    RelayOptions.DEFAULTS.withTrustAnyCertificate(true)).open(sink);
            List<byte[]> frames = sink.take(2, WAIT);
            assertArrayEquals(JPEGS.get(0), frames.get(0));
            assertArrayEquals(JPEGS.get(1), frames.get(1));
            assertEquals(0, sink.notSlices.get());
        }
    }

    @Test
    void selfSignedRefusedByDefault() throws Exception {
        try (TestUpstream upstream = camera()) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("https://127.0.0.1:" + upstream.port() + "/video"), RelayOptions.DEFAULTS).open(sink);
            assertEquals("upstream https://127.0.0.1:" + upstream.port() + "/video" + NOT_TRUSTED, sink.awaitFailure(WAIT));
            assertEquals(1, sink.failures.get());
        }
    }

    /** The camera's own certificate, given: trusted as is, even under a host name it does not name. */
    @Test
    void selfSignedRelayedWhenItsCertificateIsGiven() throws Exception {
        RelayOptions given = RelayOptions.DEFAULTS.withTrustedCertificates(TrustedCertificates.read(dir.resolve("camera.pem")));
        for (String host : List.of("127.0.0.1", "localhost")) {
            try (TestUpstream upstream = camera()) {
                RecordingSink sink = new RecordingSink();
                relays.relay(URI.create("https://" + host + ":" + upstream.port() + "/video"), given).open(sink);
                assertArrayEquals(JPEGS.get(0), sink.take(1, WAIT).get(0), host);
            }
        }
        // Another certificate given: this camera's is not trusted.
        try (TestUpstream upstream = camera()) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("https://127.0.0.1:" + upstream.port() + "/video"),
                    RelayOptions.DEFAULTS.withTrustedCertificates(TrustedCertificates.read(dir.resolve("ca.pem")))).open(sink);
            assertEquals("upstream https://127.0.0.1:" + upstream.port() + "/video" + NOT_TRUSTED, sink.awaitFailure(WAIT));
        }
    }

    /** A CA given: a certificate it signed is trusted for the host name it names, and only for it. */
    @Test
    void signedByAGivenCaRelayedForItsHostName() throws Exception {
        RelayOptions ca = RelayOptions.DEFAULTS.withTrustedCertificates(TrustedCertificates.read(dir.resolve("ca.pem")));
        try (TestUpstream upstream = camera(signedTls)) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("https://127.0.0.1:" + upstream.port() + "/video"), ca).open(sink);
            assertArrayEquals(JPEGS.get(0), sink.take(1, WAIT).get(0));
        }
        try (TestUpstream upstream = camera(signedTls)) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("https://localhost:" + upstream.port() + "/video"), ca).open(sink);
            assertEquals("upstream https://localhost:" + upstream.port() + "/video" + NOT_TRUSTED, sink.awaitFailure(WAIT));
        }
        try (TestUpstream upstream = camera(signedTls)) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("https://127.0.0.1:" + upstream.port() + "/video"), RelayOptions.DEFAULTS).open(sink);
            assertEquals("upstream https://127.0.0.1:" + upstream.port() + "/video" + NOT_TRUSTED, sink.awaitFailure(WAIT),
                    "not with the JDK's trust store");
        }
    }

    @Test
    void aCertificateFileSaysWhatIsWrong() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.pem"), "not a certificate\n");
        String expected = " (expected: a PEM file holding the camera's certificate or its CA's, -----BEGIN CERTIFICATE-----)";
        assertEquals(text + " holds no certificate we can read" + expected, assertThrows(IllegalArgumentException.class,
                () -> TrustedCertificates.read(text)).getMessage());
        Path missing = dir.resolve("missing.pem");
        assertEquals(missing + " does not exist" + expected, assertThrows(IllegalArgumentException.class,
                () -> TrustedCertificates.read(missing)).getMessage());
        assertEquals(1, TrustedCertificates.read(dir.resolve("camera.pem")).size());
    }

    @Test
    void plainHttpOnATlsPort() throws Exception {
        try (TestUpstream upstream = camera()) {
            RecordingSink sink = new RecordingSink();
            relays.relay(URI.create("http://127.0.0.1:" + upstream.port() + "/video"),
                    RelayOptions.DEFAULTS.withTimeouts(RelayOptions.DEFAULT_CONNECT_TIMEOUT, java.time.Duration.ofSeconds(1)))
                    .open(sink);
            // The JDK's TLS server answers plain HTTP with an alert and closes.
            assertEquals("upstream http://127.0.0.1:" + upstream.port() + "/video closed the connection",
                    sink.awaitFailure(WAIT));
        }
    }
}
