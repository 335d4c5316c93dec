package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.testing.Certificates;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's settings as flags and config keys of the same names: a self-signed https upstream (our own server
 * with an {@code openssl} certificate) is refused with our words naming the options, and relayed with
 * {@code --relay-ca} or {@code --relay-insecure}; the part size and timeouts land in the feed's relay options;
 * each mistake is one line, exit 2.
 */
class RelayFlagsTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Certificates.ec(dir, "cert.pem", "key.pem", "camera");
    }

    private static FeedConfig feed(String... args) throws Exception {
        ServeCommand command = new ServeCommand(Map.of());
        ServeCommand.commandLine(command).parseArgs(args);
        return command.feeds().get(0);
    }

    @Test
    void flagsAndKeysSetTheRelaysOptions() throws Exception {
        RelayOptions fromFlags = feed("--url", "https://127.0.0.1:8443/video", "--relay-ca", dir.resolve("cert.pem").toString(),
                "--relay-max-part", "512KiB", "--relay-connect-timeout", "2.5", "--relay-read-timeout", "30").relay();
        assertEquals(512 * 1024, fromFlags.maxPartBytes());
        assertEquals(Duration.ofMillis(2500), fromFlags.connectTimeout());
        assertEquals(Duration.ofSeconds(30), fromFlags.readTimeout());
        assertEquals(1, fromFlags.trustedCertificates().size());
        assertEquals(RelayOptions.DEFAULTS, feed("--url", "http://127.0.0.1/video").relay(), "the defaults");
        assertTrue(feed("--url", "https://127.0.0.1/video", "--relay-insecure").relay().trustAnyCertificate());

        Path yaml = Files.writeString(dir.resolve("relay.yaml"), "feeds:\n  cam:\n    url: https://127.0.0.1:8443/video\n"
                + "    relay-ca: cert.pem\n    relay-max-part: 16MiB\n    relay-connect-timeout: 1\n    relay-read-timeout: 20\n"
                + "  other: { url: https://127.0.0.1:8443/video, relay-insecure: true }\n");
        List<FeedConfig> feeds = configFeeds(yaml);
        RelayOptions fromKeys = feeds.get(0).relay();
        assertEquals(16 << 20, fromKeys.maxPartBytes());
        assertEquals(Duration.ofSeconds(1), fromKeys.connectTimeout());
        assertEquals(Duration.ofSeconds(20), fromKeys.readTimeout());
        assertEquals(fromFlags.trustedCertificates(), fromKeys.trustedCertificates(), "relay-ca taken from the file's directory");
        assertTrue(feeds.get(1).relay().trustAnyCertificate());
    }

    private static List<FeedConfig> configFeeds(Path yaml) throws Exception {
        ServeCommand command = new ServeCommand(Map.of());
        ServeCommand.commandLine(command).parseArgs("--config", yaml.toString());
        return command.feeds();
    }

    @Test
    void eachMistakeIsOneLine() throws Exception {
        String cert = dir.resolve("cert.pem").toString();
        assertEquals("mjpeg-server: --relay-ca: for an http:// or https:// --url (expected: --url http(s)://..., or no"
                + " --relay-ca)", refused("--test-pattern", "--relay-ca", cert));
        assertEquals("mjpeg-server: --relay-read-timeout: for an http:// or https:// --url (expected: --url http(s)://...,"
                + " or no --relay-read-timeout)", refused("--url", "rtsp://127.0.0.1/stream", "--relay-read-timeout", "3"));
        assertEquals("mjpeg-server: --relay-ca and --relay-insecure both given (expected: one of them)",
                refused("--url", "https://127.0.0.1/v", "--relay-ca", cert, "--relay-insecure"));
        Path missing = dir.resolve("missing.pem");
        assertEquals("mjpeg-server: --relay-ca " + missing + " does not exist (expected: a PEM file holding the camera's"
                + " certificate or its CA's, -----BEGIN CERTIFICATE-----)", refused("--url", "https://127.0.0.1/v",
                "--relay-ca", missing.toString()));
        assertEquals("mjpeg-server: Invalid value for option '--relay-max-part': '9GiB' (expected: a size from 1KiB to"
                + " 256MiB, such as 8MiB or 512KiB) (see --help)", refused("--url", "http://127.0.0.1/v", "--relay-max-part", "9GiB"));
        assertEquals("mjpeg-server: Invalid value for option '--relay-connect-timeout': '0' (expected: seconds from 0.1"
                + " to 600) (see --help)", refused("--url", "http://127.0.0.1/v", "--relay-connect-timeout", "0"));
        Path yaml = Files.writeString(dir.resolve("wrong.yaml"), "feeds:\n  cam:\n    file: clip.mp4\n    relay-insecure: true\n");
        assertEquals("mjpeg-server: " + yaml + " line 4, feed cam: relay-insecure is for an http:// or https:// url"
                + " (expected: url: http(s)://... in this feed, or no relay-insecure)", refused("--config", yaml.toString()));
    }

    private static String refused(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
        ServeCommandTest.Run run = ServeCommandTest.run(all.toArray(String[]::new));
        assertEquals(2, run.exit(), run.err());
        return run.errLine();
    }

    /**
     * A camera with a self-signed certificate (our own server, https with the openssl certificate): refused with
     * our words naming the options; relayed with its certificate given, and with the check skipped.
     */
    @Test
    void aSelfSignedCameraIsRelayedWithEitherOption() throws Exception {
        ServerConfig https = ServerConfig.builder().host("127.0.0.1").port(0)
                .tls(new TlsFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"))).build();
        FeedConfig pattern = new FeedConfig(FeedConfig.DEFAULT_NAME, new CaptureConfig(new SourceSpec.TestPattern(),
                new VideoSize(320, 240), 10, 80, 4), null);
        try (ServerFixture camera = ServerFixture.start(https, List.of(pattern))) {
            String url = "https://127.0.0.1:" + camera.port() + "/stream";
            JsonNode refused = relayed(feed("--url", url), false);
            assertEquals("upstream " + url + " presented a TLS certificate that is not trusted or not for this host name"
                    + " (for a camera's self-signed certificate: trust it with --relay-ca FILE, or skip the check with"
                    + " --relay-insecure)", refused.get("lastError").asText());
            assertEquals(320, relayed(feed("--url", url, "--relay-ca", dir.resolve("cert.pem").toString()), true)
                    .get("width").asInt());
            assertEquals(320, relayed(feed("--url", url, "--relay-insecure"), true).get("width").asInt());
            assertTrue(relayed(feed("--url", url, "--relay-insecure", "--relay-max-part", "1KiB"), false).get("lastError")
                    .asText().contains(" over the limit of 1024 (raise it with --relay-max-part"), "--relay-max-part applies");
        }
    }

    /** The relay feed's /state source once it has a frame ({@code live}), or once it has failed. */
    private static JsonNode relayed(FeedConfig feed, boolean live) throws Exception {
        try (ServerFixture relay = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                List.of(feed))) {
            JsonNode[] source = new JsonNode[1];
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> {
                try {
                    source[0] = new ObjectMapper().readTree(Http.getText(relay.url("/state")).body())
                            .get("feeds").get(0).get("source");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return live ? source[0].get("framesCaptured").asLong() > 0 : source[0].hasNonNull("lastError");
            }), () -> String.valueOf(source[0]));
            return source[0];
        }
    }
}
