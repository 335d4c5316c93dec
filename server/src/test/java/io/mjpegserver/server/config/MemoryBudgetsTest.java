package io.mjpegserver.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.relay.RelayOptions;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The feeds' budgets against the shipped JVM's 192 MiB of direct memory. */
class MemoryBudgetsTest {

    private static final long MIB = 1L << 20;
    private static final long SHIPPED = 192 * MIB;

    private static FeedConfig feed(String name, long memory) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(320, 240), 30, 80, 4),
                CaptureOptions.DEFAULTS.withMemory(memory));
    }

    @Test
    void feedsWithoutABudgetShareWhatTheOthersLeave() {
        assertEquals(144 * MIB, MemoryBudgets.available(SHIPPED), "a quarter kept for the server");
        List<FeedConfig> resolved = MemoryBudgets.resolve(List.of(feed("a", 64 * MIB), feed("b", 0), feed("c", 0)), SHIPPED);
        assertEquals(List.of(64 * MIB, 40 * MIB, 40 * MIB), resolved.stream().map(f -> f.options().memory()).toList());
    }

    @Test
    void aResolvedFeedKeepsItsOtherSettings() {
        RelayOptions relay = RelayOptions.DEFAULTS.withMaxPartBytes(512 * 1024).withTrustAnyCertificate(true);
        FeedConfig camera = new FeedConfig("cam", new CaptureConfig(new SourceSpec.Url(URI.create("https://cam/video")),
                null, 0, 80, 4), CaptureOptions.DEFAULTS.withNoSignalFrames(false), relay);
        FeedConfig resolved = MemoryBudgets.resolve(List.of(camera), SHIPPED).get(0);
        assertEquals(144 * MIB, resolved.options().memory());
        assertEquals(camera.options().withMemory(144 * MIB), resolved.options());
        assertEquals(relay, resolved.relay());
    }

    @Test
    void budgetsThatDoNotFitAreRefusedNamingTheFeedsAndTheNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryBudgets.resolve(List.of(feed("front", 100 * MIB), feed("back", 60 * MIB), feed("side", 0)), SHIPPED));
        assertEquals("memory: feeds front 100 MiB, back 60 MiB, side auto (at least 4 MiB) need 164 MiB, but the JVM's 192 MiB of direct"
                + " memory (-XX:MaxDirectMemorySize) leaves 144 MiB for feeds after 48 MiB for the server's own needs"
                + " (expected: smaller memory values, or a larger -XX:MaxDirectMemorySize)", e.getMessage());
    }

    @Test
    void anEdgesFeedsShareTheDirectMemory() {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), null, 0, 80, 4);
        MirrorConfig auto = new MirrorConfig(URI.create("http://origin:8080/"), capture, CaptureOptions.DEFAULTS);
        long max = MemoryBudgets.maxDirectMemory();
        assertEquals(MemoryBudgets.share(max, 4), auto.feed("a", 4).options().memory(), "one of four listed");
        MirrorConfig given = new MirrorConfig(URI.create("http://origin:8080/"), capture,
                CaptureOptions.DEFAULTS.withMemory(8 * MIB));
        assertEquals(8 * MIB, given.feed("a", 4).options().memory(), "--memory as given");
    }
}
