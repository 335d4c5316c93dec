package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mjpegserver.testing.Clips;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With --exit-on-source-loss the command ends with status 3 when its source fails, for systemd to restart it. */
class ExitOnSourceLossTest {

    @TempDir
    Path dir;

    @Test
    void aFailingSourceEndsTheRunWithStatus3() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.mkv"), Clips.Codec.MPEG4_MKV, 640, 480, 60, 30);
        try (Serving serving = Serving.start(new ServeCommand(), "--file", clip.toString(), "--host", "127.0.0.1",
                "--port", "0", "--exit-on-source-loss")) {
            serving.awaitStarted();
            // Emptied under the reader (the clip is larger than FFmpeg's read buffer): its next read finds nothing.
            try (FileChannel file = FileChannel.open(clip, StandardOpenOption.WRITE)) {
                file.truncate(0);
            }
            assertEquals(ServeCommand.EXIT_SOURCE_LOST, serving.ended(Duration.ofSeconds(20)).exit());
        }
    }

    /** An exception on the capture thread outside the source (here a ring listener, as the broadcaster is one) is a source loss too. */
    @Test
    void anExceptionOnTheCaptureThreadEndsTheRunWithStatus3() throws Exception {
        try (Serving serving = Serving.start(new ServeCommand(), "--test-pattern", "--size", "320x240", "--host",
                "127.0.0.1", "--port", "0", "--exit-on-source-loss")) {
            java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
            serving.awaitStarted().ring().addListener(frame -> {
                if (frames.incrementAndGet() == 3) {
                    throw new IllegalStateException("a bug in a listener");
                }
            });
            assertEquals(ServeCommand.EXIT_SOURCE_LOST, serving.ended(Duration.ofSeconds(20)).exit());
        }
    }
}
