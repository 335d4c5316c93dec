package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.testing.Clips;
import io.mjpegserver.testing.RtspTestServer;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command with a config file of five feeds, each from a different kind of source at its own size: two
 * test patterns, an MJPEG file, a relayed server and an RTSP camera. Each {@code /cam/NAME/snapshot} has its
 * feed's size, {@code /snapshot} the first's, and every feed has its label in {@code /metrics}.
 */
class ConfigFeedsTest {

    @TempDir
    Path dir;

    @Test
    void fiveFeedsFromOneFile() throws Exception {
        Path clip = Clips.make(dir.resolve("lobby.avi"), Clips.Codec.MJPEG_AVI, 480, 270, 30, 10);
        try (ServerFixture origin = ServerFixture.testPattern(400, 300, 10);
                RtspTestServer rtsp = RtspTestServer.start(dir)) {
            int port = ServerProcess.freePort();
            Path config = dir.resolve("mjpeg-server.yaml");
            Files.writeString(config, String.join("\n",
                    "host: 127.0.0.1",
                    "port: " + port,
                    "feeds:",
                    "  front:  { test-pattern: true, size: 640x480, fps: 10 }",
                    "  garage: { url: \"" + rtsp.url("/mjpeg") + "\" }",
                    "  desk:   { test-pattern: true, size: 352x288, fps: 10 }",
                    "  lobby:  { file: lobby.avi }",
                    "  porch:  { url: \"" + origin.url("/stream") + "\", on-demand: true }",
                    ""));
            Map<String, int[]> sizes = Map.of("front", new int[] {640, 480}, "garage", new int[] {320, 240},
                    "desk", new int[] {352, 288}, "lobby", new int[] {480, 270}, "porch", new int[] {400, 300});
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString());
            try (ChildProcess server = ChildProcess.start(dir, "server", command)) {
                String base = "http://127.0.0.1:" + port;
                assertTrue(Http.eventually(Duration.ofSeconds(30), () -> answers(base + "/cam/garage/snapshot")
                        || !server.isAlive()), "the server serves every feed");
                for (Map.Entry<String, int[]> e : sizes.entrySet()) {
                    BufferedImage image = snapshot(base + "/cam/" + e.getKey() + "/snapshot");
                    assertEquals(e.getValue()[0], image.getWidth(), e.getKey());
                    assertEquals(e.getValue()[1], image.getHeight(), e.getKey());
                }
                assertEquals(640, snapshot(base + "/snapshot").getWidth(), "the first feed is the default");
                String metrics = Http.getText(base + "/metrics").body();
                for (String feed : sizes.keySet()) {
                    assertTrue(metrics.contains("mjpeg_frames_captured_total{feed=\"" + feed + "\"}"), feed + ":\n" + metrics);
                }
                server.terminate();
                assertEquals(0, server.await(Duration.ofSeconds(20)).exitCode(), "a clean stop");
            }
        }
    }

    private static boolean answers(String url) {
        try {
            return Http.get(url).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static BufferedImage snapshot(String url) throws Exception {
        HttpResponse<byte[]> response = Http.get(url);
        assertEquals(200, response.statusCode(), url);
        return ImageIO.read(new ByteArrayInputStream(response.body()));
    }
}
