package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.Clips;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files as people make them, served by the real command: a raw MJPEG stream ({@code ffmpeg -i in.mp4 -c:v mjpeg
 * clip.mjpeg}) whose first frame is larger than FFmpeg's probe plays at the rate FFmpeg gives it (25 fps), and the
 * startup line says so; a multipart stream recorded with curl (stopped mid-frame) loops with no error and no NO
 * SIGNAL frame between loops.
 */
class FilePlaybackTest {

    private static final Duration WINDOW = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    @Test
    void rawMjpegAndCurlRecordingPlay() throws Exception {
        Clips.makeRawMjpegWithLargeFirstFrame(dir.resolve("raw.mjpeg"), 320, 240, 50, 25);
        Path clip = Clips.makeNumbered(dir.resolve("numbered.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 10, 25);
        Clips.recordMultipart(clip, dir.resolve("rec.mjpg"));
        Files.writeString(dir.resolve("feeds.yaml"), "host: 127.0.0.1\nport: 0\nfeeds:\n  raw: { file: raw.mjpeg }\n"
                + "  rec: { file: rec.mjpg }\n");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--config", dir.resolve("feeds.yaml").toString());
        try (ChildProcess server = ChildProcess.start(dir, "server", command)) {
            Path log = dir.resolve("server.err");
            assertTrue(Http.eventually(Duration.ofSeconds(60), () -> read(log).contains("serving 2 feeds") || !server.isAlive()),
                    "a startup line: " + read(log));
            Matcher raw = Pattern.compile("feed raw: \\S+/raw\\.mjpeg 320x240 at 25 fps \\(from the file\\) \\(passed through\\)"
                    + " on http://127\\.0\\.0\\.1:(\\d+)/cam/raw/stream").matcher(read(log));
            assertTrue(raw.find(), read(log));
            int port = Integer.parseInt(raw.group(1));

            List<Integer> rawNumbers = numbers(port, "/cam/raw/stream");
            double fps = rawNumbers.size() / (WINDOW.toNanos() / 1e9);
            System.out.printf("raw MJPEG file: %.1f fps over %s%n", fps, WINDOW);
            assertTrue(fps >= 15 && fps <= 32, "about 25 fps: " + fps + " " + rawNumbers);
            assertTrue(rawNumbers.stream().distinct().count() >= 40, "a video, not one picture: " + rawNumbers);

            List<Integer> recNumbers = numbers(port, "/cam/rec/stream");
            int loops = 0;
            for (int i = 1; i < recNumbers.size(); i++) {
                loops += recNumbers.get(i) < recNumbers.get(i - 1) ? 1 : 0;
            }
            assertTrue(loops >= 2, "at least two loops: " + recNumbers);
            JsonNode feeds = new ObjectMapper().readTree(Http.getText("http://127.0.0.1:" + port + "/state").body())
                    .get("feeds");
            for (JsonNode feed : feeds) {
                JsonNode source = feed.get("source");
                assertEquals(0, source.get("noSignalFrames").asLong(), source.toString());
                assertEquals(0, source.get("failures").asLong(), source.toString());
                assertTrue(source.get("lastError").isNull(), source.toString());
            }
            assertFalse(read(log).contains("[WARN]") || read(log).contains("[ERROR]"), read(log));
        }
    }

    /** The frame numbers of the parts a stream client gets over {@link #WINDOW}, after its first. */
    private static List<Integer> numbers(int port, String path) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        try (StreamClient client = StreamClient.open(port, path, "1.1")) {
            client.next();
            long end = System.nanoTime() + WINDOW.toNanos();
            while (System.nanoTime() < end) {
                numbers.add(Clips.number(Frames.decode(client.next().body())));
            }
        }
        return numbers;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
