package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class ServeCommandTest {

    /** Exit code, standard output and standard error of one run. */
    record Run(int exit, String out, String err) {
        String errLine() {
            assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err);
            return err.strip();
        }
    }

    private static Run run(ServeCommand command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ServeCommand.commandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run run(String... args) {
        return run(new ServeCommand(), args);
    }

    @Test
    void helpListsEveryFlag() {
        Run run = run("--help");
        assertEquals(0, run.exit());
        for (String flag : new String[] {"--device", "--file", "--test-pattern", "--host", "--port", "--fps", "--size",
                "--quality", "--boundary", "--client-timeout", "--send-buffer", "--ring-size", "--help", "--version"}) {
            assertTrue(run.out().contains(flag), flag + " in:\n" + run.out());
        }
        assertEquals("", run.err());
    }

    @Test
    void versionNamesTheRelease() {
        Run run = run("--version");
        assertEquals(0, run.exit());
        assertTrue(run.out().startsWith("mjpeg-server 0."), run.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--port|70000|Invalid value for option '--port': '70000' (expected: a port from 0 to 65535)",
        "--port|http|Invalid value for option '--port': 'http' (expected: a port from 0 to 65535)",
        "--fps|0|Invalid value for option '--fps': '0' (expected: frames per second from 0.1 to 240)",
        "--fps|fast|Invalid value for option '--fps': 'fast' (expected: frames per second from 0.1 to 240)",
        "--size|1280|Invalid value for option '--size': '1280' (expected: WIDTHxHEIGHT, e.g. 1280x720)",
        "--size|1281x720|Invalid value for option '--size': '1281x720': width: 1281 (expected: an even number from 16 to 8192)",
        "--quality|0|Invalid value for option '--quality': '0' (expected: a JPEG quality from 1 to 100)",
        "--quality|101|Invalid value for option '--quality': '101' (expected: a JPEG quality from 1 to 100)",
        "--boundary|short|Invalid value for option '--boundary': 'short' (expected: 16 to 60 letters or digits)",
        "--device|-1|Invalid value for option '--device': '-1' (expected: a camera index from 0 to 255, as in /dev/video0)",
        "--client-timeout|0|Invalid value for option '--client-timeout': '0' (expected: seconds from 0.1 to 86400)",
        "--send-buffer|2|Invalid value for option '--send-buffer': '2' (expected: 0 for the kernel's autotuning, or 4 to 65536 KiB)",
        "--ring-size|1|Invalid value for option '--ring-size': '1' (expected: 2 to 64 frames)",
    })
    void aBadValueIsOneLineNamingFlagValueAndExpectation(String flag, String value, String message) {
        Run run = run(flag, value);
        assertEquals(2, run.exit());
        assertEquals("mjpeg-server: " + message + " (see --help)", run.errLine());
        assertEquals("", run.out());
    }

    @Test
    void sourcesAreExclusiveAndUnknownFlagsRejected() {
        Run both = run("--test-pattern", "--device", "1");
        assertEquals(2, both.exit());
        assertTrue(both.errLine().contains("mutually exclusive"), both.err());
        Run unknown = run("--resolution", "640x480");
        assertEquals(2, unknown.exit());
        assertEquals("mjpeg-server: Unknown options: '--resolution', '640x480' (see --help)", unknown.errLine());
    }

    @Test
    void aMissingCameraSaysWhichAndHowToGoOn() {
        Run run = run("--device", "63", "--port", "0");
        assertEquals(1, run.exit());
        assertEquals("mjpeg-server: camera /dev/video63 not found: connect a camera, pick another with --device N,"
                + " or stream the built-in test pattern with --test-pattern", run.errLine());
    }

    @Test
    void aMissingFileSaysWhich() {
        Run run = run("--file", "/nonexistent/clip.mp4", "--port", "0");
        assertEquals(1, run.exit());
        assertEquals("mjpeg-server: video file /nonexistent/clip.mp4 not found: check the path given to --file", run.errLine());
    }

    @Test
    void aPortInUseSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Run run = run("--test-pattern", "--host", "127.0.0.1", "--port", String.valueOf(port), "--size", "320x240");
            assertEquals(1, run.exit());
            assertEquals("mjpeg-server: port " + port + " on 127.0.0.1 is already in use: stop the other server"
                    + " or choose another --port", run.errLine());
        }
    }

    @Test
    void runsUntilStoppedAndServesTheTestPattern() throws Exception {
        ServeCommand command = new ServeCommand();
        ExecutorService main = Executors.newSingleThreadExecutor();
        try {
            Future<Run> run = main.submit(() -> run(command, "--test-pattern", "--host", "127.0.0.1", "--port", "0",
                    "--size", "320x240", "--fps", "10", "--quality", "70"));
            assertTrue(command.started.await(20, TimeUnit.SECONDS), "started");
            int port = command.server.port();
            HttpURLConnection snapshot = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/snapshot").toURL().openConnection();
            snapshot.setConnectTimeout(5_000);
            snapshot.setReadTimeout(5_000);
            assertEquals(200, snapshot.getResponseCode());
            assertEquals("image/jpeg", snapshot.getContentType());
            byte[] jpeg = snapshot.getInputStream().readAllBytes();
            assertEquals(320, javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg)).getWidth());
            command.stop();
            Run finished = run.get(10, TimeUnit.SECONDS);
            assertEquals(0, finished.exit());
        } finally {
            command.stop();
            main.shutdownNow();
        }
    }
}
