package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A file that is not a video says so in our words, in one line, with none of FFmpeg's ({@code
 * avformat_open_input() error -1094995529}, {@code Has setFormat() been called?}).
 */
class SourceErrorWordsTest {

    @TempDir
    Path dir;

    private static String errLine(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = ServeCommand.commandLine(new ServeCommand());
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute(args), err.toString());
        assertEquals(1, err.toString().lines().count(), "exactly one line on stderr: " + err);
        return err.toString().strip();
    }

    @Test
    void aFileThatIsNotAVideoSaysSoInOurWords() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video at all\n".repeat(100));
        assertEquals("mjpeg-server: video file " + text + " is not a video or an image in a format we can read:"
                + " give --file a video (mp4, mkv, avi, ...) or an image (jpg, png)",
                errLine("--file", text.toString(), "--host", "127.0.0.1", "--port", "0"));
    }

    @Test
    void anEmptyFileSaysSo() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        assertEquals("mjpeg-server: video file " + empty + " is empty: give --file a video or an image",
                errLine("--file", empty.toString(), "--host", "127.0.0.1", "--port", "0"));
    }
}
