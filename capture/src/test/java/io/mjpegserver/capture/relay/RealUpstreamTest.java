package io.mjpegserver.capture.relay;

import static io.mjpegserver.capture.relay.HttpRelaySourceTest.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mjpegserver.testing.Programs;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay reading real peers' byte layouts: ffmpeg's {@code mpjpeg} muxer serving HTTP, and Debian's
 * {@code motion} (libmicrohttpd) relaying our test upstream, with its stream, its snapshot, and its Basic and
 * Digest authentication.
 */
class RealUpstreamTest {

    @RegisterExtension
    static final RelayLoops relays = new RelayLoops();

    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void ffmpegMpjpegWithItsDefaultOctetStream() throws Exception {
        relayFfmpeg(List.of());
    }

    @Test
    void ffmpegMpjpegAsMultipart() throws Exception {
        relayFfmpeg(List.of("-content_type", "multipart/x-mixed-replace;boundary=ffmpeg"));
    }

    private void relayFfmpeg(List<String> contentType) throws Exception {
        Path ffmpeg = Programs.require("ffmpeg", "ffmpeg");
        int port = HttpRelaySourceTest.freePort();
        List<String> command = new ArrayList<>(List.of(ffmpeg.toString(), "-v", "error", "-nostdin", "-re", "-f",
                "lavfi", "-i", "testsrc2=size=640x360:rate=10", "-c:v", "mjpeg", "-f", "mpjpeg"));
        command.addAll(contentType);
        command.addAll(List.of("-listen", "1", "http://127.0.0.1:" + port + "/feed.mjpg"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        try {
            List<byte[]> frames = relayOnceListening(URI.create("http://127.0.0.1:" + port + "/feed.mjpg"), 10, 1);
            for (byte[] frame : frames) {
                BufferedImage image = TestJpegs.decode(frame);
                assertEquals(640, image.getWidth());
                assertEquals(360, image.getHeight());
            }
        } finally {
            stop(process);
        }
    }

    @Test
    void motionStreamAndSnapshot() throws Exception {
        relayMotion("", null);
    }

    @Test
    void motionWithBasicAuth() throws Exception {
        relayMotion("stream_auth_method 1\nstream_authentication viewer:s3cret\n", "viewer:s3cret");
    }

    @Test
    void motionWithDigestAuth() throws Exception {
        relayMotion("stream_auth_method 2\nstream_authentication viewer:s3cret\n", "viewer:s3cret");
    }

    private void relayMotion(String authConfig, String userInfo) throws Exception {
        Path motion = Programs.require("motion", "motion");
        List<byte[]> jpegs = TestJpegs.make(4, 320, 240);
        try (TestUpstream camera = new TestUpstream(exchange -> {
            exchange.readRequest();
            exchange.write(MjpegDialect.STANDARD.head());
            Random random = new Random(5);
            for (int i = 0; ; i++) {
                MjpegDialect.writeBody(exchange, true, MjpegDialect.STANDARD.part(i, jpegs.get(i % jpegs.size())), random);
                TimeUnit.MILLISECONDS.sleep(100); // a camera's pace: 10 fps
            }
        })) {
            int port = HttpRelaySourceTest.freePort();
            Path conf = dir.resolve("motion.conf");
            Files.writeString(conf, String.join("\n",
                    "daemon off", "setup_mode off", "log_level 6", "log_file " + dir.resolve("motion.log"),
                    "target_dir " + dir, "netcam_url " + camera.uri("/video.mjpg"), "width 320", "height 240",
                    "framerate 10", "stream_port " + port, "stream_localhost on", "stream_maxrate 10",
                    "webcontrol_port 0", "picture_output off", "movie_output off", "") + authConfig);
            Process process = new ProcessBuilder(motion.toString(), "-n", "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("motion.out").toFile()).start();
            try {
                String auth = userInfo == null ? "" : userInfo + "@";
                List<byte[]> frames;
                try {
                    frames = relayOnceListening(URI.create("http://" + auth + "127.0.0.1:" + port + "/"), 10, 3);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nmotion's log:\n" + tail(dir.resolve("motion.log"))
                            + tail(dir.resolve("motion.out")), e);
                }
                for (byte[] frame : frames) {
                    BufferedImage image = TestJpegs.decode(frame);
                    assertEquals(320, image.getWidth());
                    assertEquals(240, image.getHeight());
                }
                RecordingSink sink = new RecordingSink();
                HttpRelaySource snapshot = relays.relay(URI.create("http://" + auth + "127.0.0.1:" + port + "/current"),
                        RelayOptions.DEFAULTS.withFps(5));
                snapshot.open(sink);
                try {
                    // motion's /current is a single JPEG: three frames from it are three polls.
                    for (byte[] frame : sink.take(3, WAIT)) {
                        assertEquals(320, TestJpegs.decode(frame).getWidth());
                    }
                } finally {
                    snapshot.close();
                }
                if (userInfo != null) {
                    RecordingSink refused = new RecordingSink();
                    HttpRelaySource wrong = relays.relay(URI.create("http://viewer:guess@127.0.0.1:" + port + "/"),
                            RelayOptions.DEFAULTS);
                    wrong.open(refused);
                    assertEquals("upstream http://127.0.0.1:" + port + "/ refused the user name and"
                            + " password in the URL (401)", refused.awaitFailure(WAIT));
                    wrong.close();
                }
            } finally {
                stop(process);
            }
        }
    }

    /**
     * Opens the relay until the program serves frames (a refused connection while it starts, or motion closing
     * the stream while it has no picture yet, is retried, as the supervisor would), then takes {@code count} frames after skipping {@code skip} (the program's first frames
     * may precede its input).
     */
    private static List<byte[]> relayOnceListening(URI uri, int count, int skip) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            RecordingSink sink = new RecordingSink();
            HttpRelaySource source = relays.relay(uri, RelayOptions.DEFAULTS);
            source.open(sink);
            try {
                byte[] first = null;
                while (first == null && !sink.failure.isDone() && System.nanoTime() < deadline) {
                    first = sink.frames.poll(100, TimeUnit.MILLISECONDS);
                }
                if (first != null) {
                    List<byte[]> frames = sink.take(count + skip - 1, WAIT);
                    assertEquals(0, sink.notSlices.get(), "frames are slices of the read buffer");
                    return frames.subList(skip - 1, frames.size());
                }
                String failure = sink.failure.getNow(null);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no frame from " + uri + " within " + START + ": " + failure);
                }
                TimeUnit.MILLISECONDS.sleep(200); // a retry's backoff, as the supervisor's
            } finally {
                source.close();
            }
        }
    }

    private static String tail(Path log) throws java.io.IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())) + "\n";
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
