package io.mjpegserver.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder: its defaults, a config derived from another, and each concern's checks in the same words as the flags'. */
class ServerConfigTest {

    @Test
    void theBuilderStartsFromEveryDefault() {
        ServerConfig config = ServerConfig.builder().build();
        assertEquals(ListenConfig.DEFAULTS, config.listening());
        assertEquals(LimitsConfig.DEFAULTS, config.limits());
        assertEquals(StreamConfig.DEFAULTS, config.streaming());
        assertEquals(FeedsConfig.NONE, config.feeds());
        assertEquals(null, config.tls());
        assertEquals(null, config.credentials());
    }

    @Test
    void toBuilderKeepsEveryValueButThoseSet() {
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(9000).ioThreads(2).sendBuffer(8192)
                .tls(new TlsFiles(Path.of("c.pem"), Path.of("k.pem"))).credentials(new Credentials("u", "p"))
                .maxClients(5).maxClientsPerAddress(2).maxConnectionRate(7).clientTimeout(Duration.ofSeconds(4))
                .requestTimeout(Duration.ofSeconds(6)).boundary("abcdefghijklmnop1234").repeat(Duration.ofMillis(500))
                .allowOrigin("*").build();
        assertEquals(config, config.toBuilder().build());
        ServerConfig other = config.toBuilder().port(9001).build();
        assertEquals(9001, other.listening().port());
        assertEquals(config.limits(), other.limits());
        assertEquals(config.credentials(), other.credentials());
    }

    @Test
    void aBadValueIsNamedWithWhatIsExpected() {
        assertEquals("port: 70000 (expected: 0 to 65535)", refused(ServerConfig.builder().port(70000)));
        assertEquals("sendBuffer: 100 (expected: 0 for the kernel's autotuning, or 4 KiB to 64 MiB)",
                refused(ServerConfig.builder().sendBuffer(100)));
        assertEquals("maxClients: -1 (expected: 0 for no limit, or > 0)", refused(ServerConfig.builder().maxClients(-1)));
        assertEquals("clientTimeout: PT0.05S (expected: at least 100 ms)",
                refused(ServerConfig.builder().clientTimeout(Duration.ofMillis(50))));
        assertEquals("allowOrigin: '' (expected: an origin such as https://nvr.example or *)",
                refused(ServerConfig.builder().allowOrigin(" ")));
    }

    @Test
    void aServerHasFeedsOrAMirrorNotBoth() {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(320, 240), 30, 80, 4);
        URI origin = MirrorConfig.parse("http://origin:8080");
        MirrorConfig mirror = new MirrorConfig(origin, capture, CaptureOptions.DEFAULTS);
        FeedConfig feed = new FeedConfig(FeedConfig.DEFAULT_NAME, capture, CaptureOptions.DEFAULTS);
        assertEquals(List.of(feed), ServerConfig.builder().feeds(List.of(feed)).build().feeds().list());
        assertEquals(mirror, ServerConfig.builder().mirror(mirror).build().feeds().mirror());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> new FeedsConfig(List.of(feed), mirror));
        assertEquals("feeds: 1 and a mirror (expected: feeds, or a mirror)", both.getMessage());
    }

    private static String refused(ServerConfig.Builder builder) {
        return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
    }
}
