package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.testing.Clips;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** With --exit-on-source-loss the command ends with status 3 when its source fails, for systemd to restart it. */
class ExitOnSourceLossTest {

    @TempDir
    Path dir;

    @Test
    void aFailingSourceEndsTheRunWithStatus3() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.mkv"), Clips.Codec.MPEG4_MKV, 640, 480, 60, 30);
        ServeCommand command = new ServeCommand();
        CommandLine cli = ServeCommand.commandLine(command);
        cli.setErr(new PrintWriter(new StringWriter(), true));
        ExecutorService main = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit = main.submit(() -> cli.execute("--file", clip.toString(), "--host", "127.0.0.1",
                    "--port", "0", "--exit-on-source-loss"));
            assertTrue(command.started.await(20, TimeUnit.SECONDS));
            // Emptied under the reader (the clip is larger than FFmpeg's read buffer): its next read finds nothing.
            try (FileChannel file = FileChannel.open(clip, StandardOpenOption.WRITE)) {
                file.truncate(0);
            }
            assertEquals(ServeCommand.EXIT_SOURCE_LOST, exit.get(20, TimeUnit.SECONDS));
        } finally {
            command.stop();
            main.shutdownNow();
        }
    }

    /**
     * Issue 8 item 3: an exception thrown on the capture thread outside the source (here a ring listener, as the
     * broadcaster is one) is a source loss too. Before, the capture thread died silently and the run went on.
     */
    @Test
    void anExceptionOnTheCaptureThreadEndsTheRunWithStatus3() throws Exception {
        ServeCommand command = new ServeCommand();
        CommandLine cli = ServeCommand.commandLine(command);
        cli.setErr(new PrintWriter(new StringWriter(), true));
        ExecutorService main = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit = main.submit(() -> cli.execute("--test-pattern", "--size", "320x240", "--host", "127.0.0.1",
                    "--port", "0", "--exit-on-source-loss"));
            assertTrue(command.started.await(20, TimeUnit.SECONDS));
            java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
            command.server.ring().addListener(frame -> {
                if (frames.incrementAndGet() == 3) {
                    throw new IllegalStateException("a bug in a listener");
                }
            });
            assertEquals(ServeCommand.EXIT_SOURCE_LOST, exit.get(20, TimeUnit.SECONDS));
        } finally {
            command.stop();
            main.shutdownNow();
        }
    }
}
