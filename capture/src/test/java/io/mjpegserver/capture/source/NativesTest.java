package io.mjpegserver.capture.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No two threads are the first into JavaCPP at once, which can deadlock (bytedeco/javacpp#737): its core is
 * initialised on the calling thread before the preload thread exists, and before a created source can open on a
 * thread of its own. Checked in a fresh JVM ({@link NativesProbe}), where nothing has initialised it yet.
 */
class NativesTest {

    @Test
    void preloadInitialisesJavaCppsCoreOnTheCallingThreadFirst(@TempDir Path dir) throws Exception {
        String printed = probe(dir, "preload");
        assertTrue(printed.contains("core initialised before the preload thread ran: true"), printed);
        assertTrue(printed.contains("preload finished: true"), printed);
    }

    @Test
    void creatingASourceInitialisesJavaCppsCoreBeforeItCanOpen(@TempDir Path dir) throws Exception {
        String printed = probe(dir, "create");
        assertTrue(printed.contains("core initialised before the source could open: true"), printed);
    }

    private static String probe(Path dir, String mode) throws Exception {
        Path out = dir.resolve("probe.out");
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NativesProbe.class.getName(), mode)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean exited = probe.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String printed = Files.readString(out);
        assertTrue(exited, "the probe hung (a native load deadlock?):\n" + printed);
        assertEquals(0, probe.exitValue(), printed);
        return printed;
    }
}
