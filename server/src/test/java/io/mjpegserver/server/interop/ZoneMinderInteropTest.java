package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.Rectangle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's ZoneMinder 1.36 (see {@link ZoneMinder}) records from us with both of its network source types at
 * once: a Remote monitor (its own HTTP multipart reader, "simple" method, on mjpg-streamer's URL) and an Ffmpeg
 * monitor (libavformat on {@code /stream}). Each captures our test pattern at our rate for 20 s, read back from
 * ZoneMinder's shared memory with {@code zmu}, and again, by itself, after our server restarts on the same port.
 */
class ZoneMinderInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int FPS = 10;
    private static final int REMOTE = 9101;
    private static final int FFMPEG = 9102;
    private static final Duration FIRST_IMAGE = Duration.ofSeconds(30);
    private static final Duration WATCH = Duration.ofSeconds(20);
    private static final Duration WATCH_AFTER_RESTART = Duration.ofSeconds(12);
    /** How long ZoneMinder may take to come back by itself: it did so within 5 s when tried by hand. */
    private static final Duration RECONNECT = Duration.ofSeconds(15);
    /** ZoneMinder's rate over a watch, against our 10 fps: what a loaded machine keeps, far from a stall. */
    private static final double MIN_FPS = FPS * 0.85;
    private static final double MAX_FPS = FPS * 1.15;

    @TempDir
    Path dir;

    private static ServerFixture server(int port) throws Exception {
        return ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(port).build(),
                new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), FPS, 80, 4));
    }

    @Test
    void remoteAndFfmpegMonitorsCaptureAtOurRateAndAgainAfterARestart() throws Exception {
        try (ZoneMinder zm = ZoneMinder.start(dir)) {
            Map<Integer, String> monitors = new LinkedHashMap<>();
            monitors.put(REMOTE, "Remote monitor");
            monitors.put(FFMPEG, "Ffmpeg monitor");
            ServerFixture first = server(0);
            int port = first.port();
            Map<Integer, Long> lastFrame = new LinkedHashMap<>();
            try {
                zm.addMonitor(REMOTE, "Remote", WIDTH, HEIGHT, Map.of("Protocol", "http", "Method", "simple",
                        "Host", "127.0.0.1", "Port", String.valueOf(port), "Path", "/?action=stream"));
                zm.addMonitor(FFMPEG, "Ffmpeg", WIDTH, HEIGHT, Map.of("Path", first.url("/stream")));
                for (int id : monitors.keySet()) {
                    zm.capture(id);
                }
                for (int id : monitors.keySet()) {
                    assertTrue(Http.eventually(FIRST_IMAGE, () -> frameShown(zm, id) > 0),
                            () -> monitors.get(id) + " shows none of our frames\n" + zm.log(id));
                }
                lastFrame.putAll(watch(zm, monitors, WATCH));
                for (int id : monitors.keySet()) {
                    assertEquals(List.of(), zm.problems(id), monitors.get(id) + " logged warnings or errors");
                }
            } finally {
                first.close();
            }

            // The same port and picture, counting from frame 0 again: a low frame number comes from the new server.
            try (ServerFixture second = server(port)) {
                long restarted = System.nanoTime();
                for (int id : monitors.keySet()) {
                    long before = lastFrame.get(id);
                    assertTrue(Http.eventually(RECONNECT, () -> {
                        long shown = frameShown(zm, id);
                        return shown >= 0 && shown < before;
                    }), () -> monitors.get(id) + " did not come back within " + RECONNECT + " of the restart\n"
                            + zm.log(id));
                    System.out.printf("ZoneMinder %s: first frame from the restarted server after %d ms%n",
                            monitors.get(id), (System.nanoTime() - restarted) / 1_000_000);
                }
                watch(zm, monitors, WATCH_AFTER_RESTART);
            }
            for (int id : monitors.keySet()) {
                assertTrue(zm.capturing(id), monitors.get(id) + "'s zmc exited\n" + zm.log(id));
            }
        }
    }

    /**
     * Watches the monitors for {@code length}: every few seconds each one's last image is our pattern at a later
     * frame, and over the whole watch zmc's own image count grew at our rate. Returns each one's last frame number.
     */
    private static Map<Integer, Long> watch(ZoneMinder zm, Map<Integer, String> monitors, Duration length)
            throws Exception {
        Map<Integer, List<Long>> frames = new LinkedHashMap<>();
        monitors.keySet().forEach(id -> frames.put(id, new ArrayList<>()));
        double start = System.currentTimeMillis() / 1000.0;
        long begun = System.nanoTime();
        long end = begun + length.toNanos();
        long lastSample = begun;
        for (;;) {
            lastSample = System.nanoTime();
            for (int id : monitors.keySet()) {
                frames.get(id).add(frame(zm, id));
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // Watching for a while is the point here: each sample is a look at what ZoneMinder holds then.
            Thread.sleep(Math.min(4000, left / 1_000_000 + 1));
        }
        double stop = System.currentTimeMillis() / 1000.0;
        double sampled = (lastSample - begun) / 1e9;
        Map<Integer, Long> last = new LinkedHashMap<>();
        for (int id : monitors.keySet()) {
            String name = monitors.get(id);
            List<Long> seen = frames.get(id);
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), () -> name + "'s images did not move on: frames " + seen);
            }
            List<ZoneMinder.Report> reports = zm.reports(id).stream()
                    .filter(r -> r.time() >= start && r.time() <= stop).toList();
            assertTrue(reports.size() >= 2, () -> name + " logged no capture reports\n" + zm.log(id));
            ZoneMinder.Report a = reports.get(0);
            ZoneMinder.Report b = reports.get(reports.size() - 1);
            assertTrue(b.time() - a.time() >= length.toSeconds() * 0.6, () -> name + " reported too seldom: " + reports);
            double fps = (b.images() - a.images()) / (b.time() - a.time());
            // The images it holds follow our frame numbers at our rate too.
            double framesPerSecond = (seen.get(seen.size() - 1) - seen.get(0)) / sampled;
            System.out.printf("ZoneMinder %s: %d images in %.1f s, %.2f fps (zmc's last report: %.2f fps); frames %s"
                    + " over %.1f s, %.2f a second%n", name, b.images() - a.images(), b.time() - a.time(), fps, b.fps(),
                    seen, sampled, framesPerSecond);
            assertTrue(fps >= MIN_FPS && fps <= MAX_FPS, () -> name + " captured at " + fps + " fps (expected: "
                    + FPS + "): " + reports);
            assertTrue(framesPerSecond >= MIN_FPS && framesPerSecond <= MAX_FPS, () -> name + "'s images went from frame "
                    + seen + " in " + sampled + " s (expected: " + FPS + " a second)");
            last.put(id, seen.get(seen.size() - 1));
        }
        return last;
    }

    /** The frame number of monitor {@code id}'s last image, which must be our pattern, whole and in colour. */
    private static long frame(ZoneMinder zm, int id) throws Exception {
        var image = TestPatternPixels.assertFrame(zm.lastImage(id), WIDTH, HEIGHT, "ZoneMinder's image of monitor " + id);
        return TestPatternPixels.frameNumber(image, new Rectangle(0, 0, WIDTH, HEIGHT));
    }

    /** As {@link #frame}, or -1 while the monitor holds no image of ours yet (none, or blank). */
    private static long frameShown(ZoneMinder zm, int id) {
        try {
            return frame(zm, id);
        } catch (AssertionError e) {
            return -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
