package io.mjpegserver.server.interop;

import io.mjpegserver.server.testing.TestPatternServer;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ChildProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.source.TestPatternCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's ffmpeg 5.1 reads our stream the ways users and NVRs run it: probed as {@code mpjpeg}, decoded with
 * {@code -xerror} (any damaged frame aborts), with the raw {@code mjpeg} demuxer forced (Shinobi), with
 * wall-clock timestamps into raw video (Frigate), and over HTTP/1.0.
 */
class FfmpegInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int FRAMES = 30;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestPatternServer fixture = new TestPatternServer(WIDTH, HEIGHT, 30);
    private Path ffmpeg;
    private Path ffprobe;

    @TempDir
    Path dir;

    /** Per test, not per class: a skip from @BeforeAll would not show in Maven's report. */
    @BeforeEach
    void requireFfmpeg() {
        ffmpeg = Programs.require("ffmpeg", "ffmpeg");
        ffprobe = Programs.require("ffprobe", "ffmpeg");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/stream", "/stream.mjpg", "/?action=stream"})
    void ffprobeNamesTheFormatMpjpeg(String path) throws Exception {
        ChildProcess.Outcome probe = ChildProcess.run(dir, "ffprobe", LIMIT, List.of(ffprobe.toString(),
                "-v", "error", "-show_entries", "format=format_name:stream=codec_name,width,height",
                "-of", "default=noprint_wrappers=1", fixture.url(path))).assertExit(0);

        List<String> lines = probe.out().lines().map(String::strip).toList();
        assertTrue(lines.contains("format_name=mpjpeg"), () -> "ffprobe output " + lines + "\n" + probe.describe());
        assertTrue(lines.contains("codec_name=mjpeg"), () -> "ffprobe output " + lines);
        assertTrue(lines.contains("width=" + WIDTH), () -> "ffprobe output " + lines);
        assertTrue(lines.contains("height=" + HEIGHT), () -> "ffprobe output " + lines);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/stream", "/stream.mjpg", "/?action=stream"})
    void ffmpegDecodesThirtyFramesWithXerror(String path) throws Exception {
        assertEquals(FRAMES, decodedFrames(fixture.url(path), List.of()));
    }

    /** Shinobi's MJPEG monitor forces the raw JPEG demuxer onto the multipart body. */
    @Test
    void ffmpegDecodesWithTheMjpegDemuxerForcedLikeShinobi() throws Exception {
        assertEquals(FRAMES, decodedFrames(fixture.url("/stream"), List.of("-f", "mjpeg")));
    }

    /** Frigate reads with wall-clock timestamps and pipes raw YUV to its detectors. */
    @Test
    void ffmpegDecodesToRawVideoWithWallclockTimestampsLikeFrigate() throws Exception {
        Path yuv = dir.resolve("frigate.yuv");
        ChildProcess.run(dir, "ffmpeg-frigate", LIMIT, List.of(ffmpeg.toString(), "-nostdin", "-hide_banner",
                "-v", "error", "-xerror", "-use_wallclock_as_timestamps", "1", "-i", fixture.url("/stream"),
                "-frames:v", String.valueOf(FRAMES), "-f", "rawvideo", "-pix_fmt", "yuv420p", yuv.toString()))
                .assertExit(0);

        byte[] video = Files.readAllBytes(yuv);
        int frameBytes = WIDTH * HEIGHT * 3 / 2;
        assertEquals((long) FRAMES * frameBytes, video.length, "bytes of " + FRAMES + " yuv420p frames");
        // The luma plane leads each frame: read the frame number the pattern burnt into it.
        List<Long> numbers = new ArrayList<>();
        for (int f = 0; f < FRAMES; f++) {
            int plane = f * frameBytes;
            numbers.add(TestPatternCode.read(WIDTH, HEIGHT, (x, y) -> video[plane + y * WIDTH + x] & 0xFF));
        }
        for (int i = 1; i < numbers.size(); i++) {
            assertTrue(numbers.get(i) >= numbers.get(i - 1), () -> "frame numbers go back: " + numbers);
        }
        assertTrue(numbers.get(0) > 0 && numbers.get(FRAMES - 1) > numbers.get(0),
                () -> "frame numbers decoded by ffmpeg do not advance: " + numbers);
    }

    /** ffmpeg always asks in HTTP/1.1; the relay makes it HTTP/1.0 so ffmpeg parses our close-delimited answer. */
    @Test
    void ffmpegDecodesOverHttp10() throws Exception {
        try (Http10Relay relay = Http10Relay.start(fixture.port())) {
            assertEquals(FRAMES, decodedFrames(relay.url("/stream"), List.of()));

            assertFalse(relay.statusLines().isEmpty(), "no response went through the relay");
            assertTrue(relay.requestLines().stream().allMatch(line -> line.endsWith(" HTTP/1.0")),
                    () -> "request lines " + relay.requestLines());
            assertTrue(relay.statusLines().stream().allMatch(line -> line.equals("HTTP/1.0 200 OK")),
                    () -> "status lines " + relay.statusLines());
        }
    }

    /** Runs ffmpeg on {@code url} for {@link #FRAMES} frames with {@code -xerror} and counts the frames it decoded. */
    private int decodedFrames(String url, List<String> inputOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error",
                "-xerror"));
        command.addAll(inputOptions);
        command.addAll(List.of("-i", url, "-frames:v", String.valueOf(FRAMES), "-f", "framecrc", "-"));
        ChildProcess.Outcome run = ChildProcess.run(dir, "ffmpeg", LIMIT, command).assertExit(0);
        assertTrue(run.err().isBlank(), () -> "ffmpeg reported errors\n" + run.describe());
        return (int) run.out().lines().filter(line -> line.startsWith("0,")).count();
    }
}
