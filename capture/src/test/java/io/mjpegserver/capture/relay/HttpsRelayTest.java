package io.mjpegserver.capture.relay;

import static io.mjpegserver.capture.relay.HttpRelaySourceTest.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * store, relayed when the user explicitly trusts any certificate.
 */
class HttpsRelayTest {

    @RegisterExtension
    static final RelayLoops relays = new RelayLoops();

    private static final List<byte[]> JPEGS = TestJpegs.make(3, 160, 120);

    @TempDir
    static Path dir;
    private static SSLContext tls;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("camera.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-keystore", keystore.toString(), "-storetype",
                "PKCS12", "-storepass", "changeit", "-alias", "camera", "-keyalg", "EC", "-dname", "CN=camera",
                "-ext", "san=ip:127.0.0.1", "-validity", "2").redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("keytool failed: " + Files.readString(dir.resolve("keytool.log")));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
    }

    private static TestUpstream camera() throws Exception {
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
            assertEquals("upstream https://127.0.0.1:" + upstream.port() + "/video presented a TLS certificate that is"
                    + " not trusted or not for this host name (for a camera's self-signed certificate, turn on the"
                    + " relay's trust-any-certificate option)", sink.awaitFailure(WAIT));
            assertEquals(1, sink.failures.get());
        }
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
