package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ChildProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JavaCV's natives are unpacked where the environment says ($XDG_CACHE_HOME, $HOME), not in the account's home. */
class NativeCacheTest {

    @Test
    void xdgCacheHomeThenHomeThenJavaCppsDefault() {
        assertEquals("/var/cache/mjpeg-server/javacpp",
                NativeCache.directory(Map.of("XDG_CACHE_HOME", "/var/cache/mjpeg-server", "HOME", "/var/lib/mjpeg-server")));
        assertEquals("/var/lib/mjpeg-server/.javacpp/cache",
                NativeCache.directory(Map.of("XDG_CACHE_HOME", "relative/ignored", "HOME", "/var/lib/mjpeg-server")));
        assertNull(NativeCache.directory(Map.of()));
    }

    @Test
    void theRealCommandUnpacksUnderHome(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // The test pattern loads OpenCV's natives, then the bind fails on the taken port: exit 1, no wait.
            List<String> command = List.of("env", "-u", "XDG_CACHE_HOME", "HOME=" + home,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "--test-pattern", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()),
                    "--size", "320x240", "--log-level", "warn");
            ChildProcess.Outcome outcome = ChildProcess.run(dir, "java", Duration.ofSeconds(60), command);
            assertEquals(1, outcome.exitCode(), outcome.describe());
        }
        Path cache = home.resolve(".javacpp/cache");
        assertTrue(Files.isDirectory(cache), "natives unpacked under $HOME: " + cache);
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("libopencv_core")), "OpenCV under " + cache);
        }
    }
}
