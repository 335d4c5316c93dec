package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.testing.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Error on the capture thread ends the process with status 70 after one log line, so a supervisor restarts
 * it, rather than leaving a process alive that serves nothing.
 */
class FatalErrorExitTest {

    @TempDir
    Path dir;

    @Test
    void anErrorOnTheCaptureThreadEndsTheProcessWithStatus70() throws Exception {
        ChildProcess.Outcome run = ChildProcess.run(dir, "fatal", Duration.ofSeconds(40), List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), FatalCaptureMain.class.getName()));
        run.assertExit(FatalErrorHandler.EXIT_STATUS);
        assertTrue(run.out().contains("started on port"), run.describe());
        List<String> fatal = run.err().lines().filter(l -> l.contains("OutOfMemoryError")).toList();
        assertEquals(1, fatal.size(), "one line names the error:\n" + run.describe());
        assertTrue(fatal.get(0).contains("fatal java.lang.OutOfMemoryError: test on capture-test-pattern"), fatal.get(0));
    }
}
