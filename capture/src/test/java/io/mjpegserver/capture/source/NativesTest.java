package io.mjpegserver.capture.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The natives preload cannot deadlock with the thread that started it: JavaCPP's core is initialised before the
 * preload thread exists (bytedeco/javacpp#737). Checked in a fresh JVM, where nothing has initialised it yet.
 */
class NativesTest {

    @Test
    void preloadInitialisesJavaCppsCoreOnTheCallingThreadFirst(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("probe.out");
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NativesPreloadProbe.class.getName())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean exited = probe.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String printed = Files.readString(out);
        assertTrue(exited, "the probe hung (a native load deadlock?):\n" + printed);
        assertEquals(0, probe.exitValue(), printed);
        assertTrue(printed.contains("core initialised before the preload thread ran: true"), printed);
        assertTrue(printed.contains("preload finished: true"), printed);
    }
}
