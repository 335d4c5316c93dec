package io.mjpegserver.server.interop;

import io.mjpegserver.server.testing.TestPatternServer;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ChildProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's VLC 3 opens our stream URL with its own {@code mjpeg} demuxer and transcodes a few seconds of it to
 * a file, whose frames ffprobe then counts. VLC refuses to run as root, so as root it runs as
 * {@link Programs#VLC_USER}.
 */
class VlcInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    /** How long VLC records before {@code timeout} sends it SIGINT (--run-time does not end a live stream). */
    private static final int RECORD_SECONDS = 5;
    /** About one second of the 30 fps source: far fewer than a working VLC records, more than a broken one. */
    private static final int MIN_FRAMES = 30;

    @RegisterExtension
    static final TestPatternServer fixture = new TestPatternServer(WIDTH, HEIGHT, 30);
    private Path cvlc;
    private Path su;
    private Path ffprobe;

    @TempDir
    Path dir;

    /** Per test, not per class: a skip from @BeforeAll would not show in Maven's report. */
    @BeforeEach
    void requireVlc() throws Exception {
        cvlc = Programs.require("cvlc", "vlc");
        ffprobe = Programs.require("ffprobe", "ffmpeg");
        Programs.require("timeout", "coreutils");
        if (Programs.runningAsRoot()) {
            su = Programs.require("su", "util-linux");
            Programs.requireVlcUser();
        }
    }

    @Test
    void vlcDemuxesAndTranscodesTheStream() throws Exception {
        // VLC's user must be able to write the recording: open up the test's private temp dir.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path recording = dir.resolve("vlc.ts");
        // SIGINT straight to VLC (timeout runs inside su) lets it finish the file; su would turn it into SIGTERM.
        String vlc = "exec timeout -s INT " + RECORD_SECONDS + " " + cvlc + " --verbose=2 --play-and-exit "
                + quote(fixture.url("/stream"))
                + " --sout " + quote("#transcode{vcodec=mp2v,vb=2000}:std{access=file,mux=ts,dst=" + recording + "}")
                + " vlc://quit";
        List<String> command = Programs.runningAsRoot()
                ? List.of(su.toString(), Programs.VLC_USER, "-s", "/bin/sh", "-c", vlc)
                : List.of("/bin/sh", "-c", vlc);

        ChildProcess.Outcome run = ChildProcess.run(dir, "vlc", Duration.ofSeconds(RECORD_SECONDS + 25), command);
        // 124 is timeout's status after it interrupted VLC as planned; 0 if VLC ended first.
        assertTrue(!run.timedOut() && (run.exitCode() == 124 || run.exitCode() == 0),
                () -> "VLC did not end as planned: exit " + run.exitCode() + "\n" + run.describe());
        assertTrue(run.err().contains("using demux module \"mjpeg\""),
                () -> "VLC did not open the stream with its mjpeg demuxer\n" + run.describe());
        assertTrue(Files.isRegularFile(recording) && Files.size(recording) > 0,
                () -> "VLC wrote no recording\n" + run.describe());

        Map<String, String> stream = probe(recording);
        assertEquals(String.valueOf(WIDTH), stream.get("width"), () -> "ffprobe of the recording: " + stream);
        assertEquals(String.valueOf(HEIGHT), stream.get("height"), () -> "ffprobe of the recording: " + stream);
        int frames = Integer.parseInt(stream.get("nb_read_frames"));
        assertTrue(frames >= MIN_FRAMES, () -> "VLC recorded only " + frames + " frames in " + RECORD_SECONDS
                + " s (expected: >= " + MIN_FRAMES + ")\n" + run.describe());
    }

    /** ffprobe's figures for the first video stream of {@code file}, counting the frames it decodes. */
    private Map<String, String> probe(Path file) throws Exception {
        ChildProcess.Outcome probe = ChildProcess.run(dir, "ffprobe", Duration.ofSeconds(30), List.of(
                ffprobe.toString(), "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=width,height,nb_read_frames", "-of", "default=noprint_wrappers=1",
                file.toString())).assertExit(0);
        // The transport stream may list the stream again under its program: keep the first value of each key.
        List<String[]> pairs = new ArrayList<>();
        probe.out().lines().map(String::strip).filter(line -> line.contains("="))
                .forEach(line -> pairs.add(line.split("=", 2)));
        return pairs.stream().collect(Collectors.toMap(p -> p[0], p -> p[1].replaceAll("[^0-9]", ""),
                (first, again) -> first));
    }

    /** Single-quotes {@code text} for /bin/sh. */
    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
