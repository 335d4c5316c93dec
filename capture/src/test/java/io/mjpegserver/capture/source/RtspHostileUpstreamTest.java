package io.mjpegserver.capture.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.testing.Clips;
import io.mjpegserver.testing.HostileUpstream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RtspSource} against servers that take the connection and misbehave ({@link HostileUpstream}): every
 * blocking FFmpeg call is bounded, and none holds a lock another source's FFmpeg calls need. Each source runs on a
 * thread of its own, as a capture thread would; every wait is bounded.
 */
class RtspHostileUpstreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Far above the open's deadline (3 timeouts): only an unbounded call reaches it. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final ExecutorService rtspThread = Executors.newSingleThreadExecutor(r -> daemon(r, "rtsp-test-capture"));
    private final ExecutorService fileThread = Executors.newSingleThreadExecutor(r -> daemon(r, "file-test-capture"));

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        rtspThread.shutdownNow();
        fileThread.shutdownNow();
        assertTrue(rtspThread.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS), "the RTSP thread ended");
        assertTrue(fileThread.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS), "the file thread ended");
    }

    private static RtspSource source(String url) {
        return new RtspSource(new SourceSpec.Url(URI.create(url)), null, 0, 80, TIMEOUT);
    }

    /**
     * A server that sends garbage forever keeps FFmpeg's RTSP client reading: the open still fails within its
     * deadline, in words that say what is wrong; and while it is under way, a file opens at once on another thread.
     */
    @Test
    void garbageFailsTheOpenInTimeAndBlocksNoOtherSource() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 10, 25);
        try (HostileUpstream garbage = HostileUpstream.garbage()) {
            String url = garbage.url("rtsp", "/stream");
            long started = System.nanoTime();
            Future<SourceException> opening = rtspThread.submit(
                    () -> assertThrows(SourceException.class, () -> source(url).open()));
            assertTrue(eventually(() -> garbage.connections() > 0), "the RTSP open is under way");
            FileSource file = new FileSource(clip, null, 0, 80);
            try {
                fileThread.submit(() -> {
                    file.open();
                    return null;
                }).get(10, TimeUnit.SECONDS);
                assertEquals(320, file.width(), "a file opens while the RTSP open reads garbage");
            } finally {
                fileThread.submit(file::close).get(10, TimeUnit.SECONDS);
            }
            SourceException e = opening.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("RTSP open against a garbage server failed after %d ms (timeout %d ms)%n", millis,
                    TIMEOUT.toMillis());
            assertEquals("rtsp stream " + url + " did not start a stream within 6 s: it answers, but not as an RTSP"
                    + " camera should; check that the URL has the camera's RTSP port (usually 554) and path",
                    e.getMessage());
            assertTrue(millis < 6000 + 4000, "bounded by its deadline: " + millis + " ms");
        }
    }

    /** An interrupt of the thread in an open (the service closing) ends the open at once. */
    @Test
    void anInterruptEndsAnOpenAtOnce() throws Exception {
        try (HostileUpstream silent = HostileUpstream.silent()) {
            Thread[] opener = new Thread[1];
            Future<SourceException> opening = rtspThread.submit(() -> {
                opener[0] = Thread.currentThread();
                return assertThrows(SourceException.class, () -> source(silent.url("rtsp", "/stream")).open());
            });
            assertTrue(eventually(() -> silent.connections() > 0), "the RTSP open is under way");
            long interrupted = System.nanoTime();
            opener[0].interrupt();
            opening.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interrupted);
            assertTrue(millis < 1000, "the open ended " + millis + " ms after the interrupt");
        }
    }

    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }
}
