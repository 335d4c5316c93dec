package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.TestPatternServer;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's motion 4.5 with its {@code netcam_url} on our stream records it: with every frame taken as motion
 * ({@code emulate_motion}) it saves each one as a picture, and those pictures are our test pattern, frame after
 * frame, at about our rate, with no error in its log.
 */
class MotionInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int FPS = 10;
    /** motion probes the stream with libavformat before its first picture; slow on a loaded machine. */
    private static final Duration FIRST_PICTURE = Duration.ofSeconds(60);
    private static final Duration RECORD = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestPatternServer fixture = new TestPatternServer(WIDTH, HEIGHT, FPS);

    @TempDir
    Path dir;

    @Test
    void motionRecordsEveryFrameOfOurStream() throws Exception {
        Path motion = Programs.require("motion", "motion");
        Path out = Files.createDirectory(dir.resolve("out"));
        Path log = dir.resolve("motion.log");
        Path conf = dir.resolve("motion.conf");
        Files.writeString(conf, String.join("\n", "daemon off", "setup_mode off", "log_level 6", "log_file " + log,
                "target_dir " + out, "netcam_url " + fixture.url("/stream"), "width " + WIDTH, "height " + HEIGHT,
                "framerate " + FPS, "stream_port 0", "webcontrol_port 0", "emulate_motion on", "picture_output on",
                // Its clock, drawn in the bottom right corner by default, could cover the frame number.
                "text_right %%", "picture_quality 90", "picture_filename %Y%m%d%H%M%S-%q", "movie_output off", ""));
        try (ChildProcess process = ChildProcess.start(dir, "motion", List.of(motion.toString(), "-n", "-c", conf.toString()))) {
            assertTrue(Http.eventually(FIRST_PICTURE, () -> pictures(out).size() > 0 || !process.isAlive()),
                    () -> "motion saved no picture\n" + read(log));
            assertTrue(process.isAlive(), () -> "motion exited\n" + read(log));
            int before = pictures(out).size();
            long start = System.nanoTime();
            // Recording for a while is the point: what it saved meanwhile is counted after.
            Thread.sleep(RECORD.toMillis());
            List<Path> saved = pictures(out);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = (saved.size() - before) / seconds;

            List<Long> frames = new ArrayList<>();
            for (Path picture : saved.subList(saved.size() - 10, saved.size())) {
                BufferedImage image = TestPatternPixels.assertFrame(Files.readAllBytes(picture), WIDTH, HEIGHT,
                        "motion's picture " + picture.getFileName());
                frames.add(TestPatternPixels.frameNumber(image, new Rectangle(0, 0, WIDTH, HEIGHT)));
            }
            System.out.printf("motion: %d pictures in %.1f s, %.1f a second; frame numbers of the last ten: %s%n",
                    saved.size() - before, seconds, rate, frames);
            // motion's netcam hands its picture writer whichever of its buffered images is ready, now and then one
            // from a moment before: the pictures are our frames, mostly distinct and moving on, not strictly in order.
            assertTrue(frames.get(frames.size() - 1) > frames.get(0), "motion's pictures do not move on: frames " + frames);
            assertTrue(new java.util.HashSet<>(frames).size() >= 8, "motion saved the same frame again and again: " + frames);
            assertTrue(frames.stream().allMatch(f -> Math.abs(f - frames.get(frames.size() - 1)) <= 5 * FPS),
                    "a picture far from the others (not a frame of this stream): frames " + frames);
            assertTrue(rate >= FPS * 0.6 && rate <= FPS * 1.2, "motion saved " + rate + " pictures a second");
            List<String> problems = read(log).lines().filter(l -> l.matches(".*\\[(ERR|CRT|ALR|EMG)\\].*")).toList();
            assertEquals(List.of(), problems, "errors in motion's log");
            assertEquals(1, fixture.server().streamClients().size(), "motion's stream");
        }
    }

    private static List<Path> pictures(Path out) {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.isRegularFile(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }
}
