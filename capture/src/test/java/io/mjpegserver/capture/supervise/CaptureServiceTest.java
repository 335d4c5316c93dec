package io.mjpegserver.capture.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CaptureServiceTest {

    /** For tests that expect no Error: records one, so the test can fail on it, rather than halting the test JVM. */
    static final RecordingFatal FAIL_ON_FATAL = new RecordingFatal();

    /** Records what reached the fatal handler. */
    static final class RecordingFatal implements FatalErrorHandler {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch called = new CountDownLatch(1);

        @Override
        public void fatal(String where, Throwable error) {
            calls.add(where + ": " + error);
            called.countDown();
        }
    }

    /** Records what the capture thread and the watchdog report. */
    static final class RecordingObserver implements CaptureObserver {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final CountDownLatch failed = new CountDownLatch(1);
        final AtomicInteger reopened = new AtomicInteger();

        @Override
        public void sourceFailed(String reason) {
            failures.add(reason);
            failed.countDown();
        }

        @Override
        public void sourceReopened() {
            reopened.incrementAndGet();
        }
    }

    /** The supervisor threads every service of these tests shares, as a server's feeds do; daemons. */
    static final SupervisorThreads THREADS = new SupervisorThreads(1);

    /** Starts capturing {@code source}, always on, into {@code ring}. */
    static CaptureService start(FrameSource source, FrameRing ring, CaptureObserver observer, FatalErrorHandler fatal)
            throws SourceException {
        return CaptureService.start(source, "scripted", 80, CaptureOptions.DEFAULTS, ring, PooledByteBufAllocator.DEFAULT,
                observer, fatal, THREADS);
    }

    /** Keeps {@code figures} of each frame {@code ring} publishes, in order, counting {@code published} down. */
    static List<long[]> record(FrameRing ring, CountDownLatch published,
            Function<io.mjpegserver.capture.frame.Frame, long[]> figures) {
        List<long[]> seen = new CopyOnWriteArrayList<>();
        ring.addListener(f -> {
            seen.add(figures.apply(f));
            published.countDown();
        });
        return seen;
    }

    /** NO SIGNAL frames are real JPEGs; the scripted source's are four bytes. */
    private static boolean noSignal(io.mjpegserver.capture.frame.Frame frame) {
        return frame.size() > 4;
    }

    /** A fake source of a fixed size and rate that counts its opens and closes. */
    abstract static class CountedSource implements FrameSource {
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        private final int width;
        private final int height;
        private final double fps;

        CountedSource(int width, int height, double fps) {
            this.width = width;
            this.height = height;
            this.fps = fps;
        }

        @Override
        public void open() throws SourceException {
            opens.incrementAndGet();
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public double pacingFps() {
            return fps;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** A tiny source: valid 4-byte "JPEGs", failing on the grabs listed. */
    static class ScriptedSource extends CountedSource {
        final AtomicInteger grabs = new AtomicInteger();
        private final List<Integer> failOn;
        private final boolean failOpen;

        ScriptedSource(boolean failOpen, Integer... failOn) {
            super(16, 16, 200);
            this.failOpen = failOpen;
            this.failOn = List.of(failOn);
        }

        @Override
        public void open() throws SourceException {
            super.open();
            if (failOpen) {
                throw new SourceException("scripted source cannot open");
            }
        }

        @Override
        public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
            int n = grabs.incrementAndGet();
            if (failOn.contains(n)) {
                throw new SourceException("scripted failure on grab " + n);
            }
            return alloc.directBuffer(4).writeInt(0xFFD8FFD9);
        }
    }

    @Test
    void publishesStampedFramesInOrder() throws Exception {
        FrameRing ring = new FrameRing(4);
        CountDownLatch twenty = new CountDownLatch(20);
        List<long[]> seen = record(ring, twenty,
                f -> new long[] {f.sequence(), f.monotonicNanos(), f.wallClockMicros()});
        ScriptedSource source = new ScriptedSource(false);
        CaptureService service = start(source, ring, CaptureObserver.NONE, FAIL_ON_FATAL);
        try {
            assertTrue(twenty.await(10, TimeUnit.SECONDS), "20 frames published");
        } finally {
            service.close();
            ring.close();
        }
        assertEquals(1, source.closes.get(), "the service closes its source");
        long micros = System.currentTimeMillis() * 1000;
        for (int i = 0; i < 20; i++) {
            long[] f = seen.get(i);
            assertEquals(i + 1, f[0]);
            if (i > 0) {
                assertTrue(f[1] > seen.get(i - 1)[1], "monotonic stamps increase");
            }
            assertTrue(Math.abs(micros - f[2]) < 60_000_000L, "wall clock stamp is now-ish");
        }
    }

    @Test
    void reopensAFailingSourceAndCarriesOn() throws Exception {
        FrameRing ring = new FrameRing(4);
        CountDownLatch frames = new CountDownLatch(10);
        ring.addListener(f -> frames.countDown());
        ScriptedSource source = new ScriptedSource(false, 3, 4);
        CaptureService service = start(source, ring, CaptureObserver.NONE, FAIL_ON_FATAL);
        try {
            assertTrue(frames.await(10, TimeUnit.SECONDS), "frames keep coming after failures");
            CaptureStats stats = service.stats();
            assertTrue(stats.online());
            assertEquals(2, stats.reopens(), "one reopen per failure");
            assertEquals("scripted failure on grab 4", stats.lastError());
            assertEquals(3, source.opens.get());
        } finally {
            service.close();
            ring.close();
        }
    }

    @Test
    void aSourceThatCannotOpenFailsTheStartAndIsClosed() {
        ScriptedSource source = new ScriptedSource(true);
        FrameRing ring = new FrameRing(2);
        SourceException e = assertThrows(SourceException.class,
                () -> start(source, ring, CaptureObserver.NONE, FAIL_ON_FATAL));
        assertEquals("scripted source cannot open", e.getMessage());
        assertEquals(1, source.closes.get());
        ring.close();
    }

    /**
     * A ring listener that throws (as the server's broadcaster could) is a source loss, not the end of capture:
     * counted, offline with a reason in our words, NO SIGNAL frames, the source reopened, live frames again.
     */
    @Test
    void aListenerThatThrowsIsASourceLossNotTheEndOfCapture() throws Exception {
        FrameRing ring = new FrameRing(4);
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch noSignal = new CountDownLatch(1);
        CountDownLatch liveAgain = new CountDownLatch(1);
        ring.addListener(f -> {
            if (seen.incrementAndGet() == 5) {
                throw new IllegalStateException("listener bug");
            }
            if (noSignal(f)) {
                noSignal.countDown();
            } else if (noSignal.getCount() == 0) {
                liveAgain.countDown();
            }
        });
        ScriptedSource source = new ScriptedSource(false);
        RecordingObserver observer = new RecordingObserver();
        CaptureService service = start(source, ring, observer, FAIL_ON_FATAL);
        try {
            assertTrue(observer.failed.await(10, TimeUnit.SECONDS), "the observer hears of the loss");
            assertEquals(List.of("internal error while publishing a frame (IllegalStateException): see the log"),
                    observer.failures);
            assertTrue(noSignal.await(10, TimeUnit.SECONDS), "NO SIGNAL frames follow");
            assertTrue(liveAgain.await(10, TimeUnit.SECONDS), "the source is reopened and live frames follow");
            CaptureStats stats = service.stats();
            assertEquals(1, stats.failures());
            assertEquals(1, stats.internalErrors());
            assertEquals(0, stats.hangs());
            assertEquals(1, stats.reopens());
            assertEquals("internal error while publishing a frame (IllegalStateException): see the log", stats.lastError());
            assertTrue(FAIL_ON_FATAL.calls.isEmpty(), FAIL_ON_FATAL.calls.toString());
        } finally {
            service.close();
            ring.close();
        }
    }

    /** A source whose grab number {@code hangOn} blocks, deaf to interrupts as a native read is, until released. */
    static final class HangingSource extends CountedSource {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch hung = new CountDownLatch(1);
        final AtomicInteger grabs = new AtomicInteger();
        private final int hangOn;

        HangingSource(int hangOn) {
            super(16, 16, 100);
            this.hangOn = hangOn;
        }

        @Override
        public ByteBuf grab(ByteBufAllocator alloc) {
            if (grabs.incrementAndGet() == hangOn) {
                hung.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                boolean released = false;
                while (!released && System.nanoTime() < deadline) {
                    try {
                        released = release.await(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException deaf) {
                        // As FFmpeg's read: an interrupt does not end it.
                    }
                }
            }
            return alloc.directBuffer(4).writeInt(0xFFD8FFD9);
        }
    }

    /**
     * A grab that never returns (a hung camera or network read) is declared lost by the watchdog after
     * max(3 frame periods, 2 s), which publishes NO SIGNAL frames while the capture thread is stuck; once the read
     * returns, the source is reopened and live frames follow.
     */
    @Test
    void aHungGrabIsDetectedAndNoSignalFramesFlowMeanwhile() throws Exception {
        FrameRing ring = new FrameRing(4);
        List<Long> noSignalSequences = new CopyOnWriteArrayList<>();
        CountDownLatch twoNoSignal = new CountDownLatch(2);
        CountDownLatch liveAfterNoSignal = new CountDownLatch(1);
        ring.addListener(f -> {
            if (noSignal(f)) {
                noSignalSequences.add(f.sequence());
                twoNoSignal.countDown();
            } else if (!noSignalSequences.isEmpty()) {
                liveAfterNoSignal.countDown();
            }
        });
        HangingSource source = new HangingSource(10);
        RecordingObserver observer = new RecordingObserver();
        CaptureService service = start(source, ring, observer, FAIL_ON_FATAL);
        try {
            assertTrue(source.hung.await(10, TimeUnit.SECONDS));
            assertTrue(observer.failed.await(10, TimeUnit.SECONDS), "the hang is a source loss");
            assertTrue(twoNoSignal.await(10, TimeUnit.SECONDS), "NO SIGNAL frames flow while the grab hangs");
            assertEquals(1, source.release.getCount(), "the grab is still hung");
            assertTrue(noSignalSequences.get(1) > noSignalSequences.get(0), "distinct frames: " + noSignalSequences);
            CaptureStats stats = service.stats();
            assertFalse(stats.online());
            assertEquals(1, stats.hangs());
            assertEquals(1, stats.failures());
            assertEquals("no frame from scripted for 2.0 s: its read hangs", stats.lastError());
            assertEquals(List.of(stats.lastError()), observer.failures);

            source.release.countDown();
            assertTrue(liveAfterNoSignal.await(10, TimeUnit.SECONDS), "live frames once the read returns");
            assertEquals(2, source.opens.get(), "reopened after the hang");
            assertTrue(service.stats().online());
            assertTrue(FAIL_ON_FATAL.calls.isEmpty(), FAIL_ON_FATAL.calls.toString());
        } finally {
            source.release.countDown();
            service.close();
            ring.close();
        }
    }

    /** An Error on the capture thread goes to the fatal handler (in production: exit 70). */
    @Test
    void anErrorOnTheCaptureThreadGoesToTheFatalHandler() throws Exception {
        for (boolean inListener : new boolean[] {false, true}) {
            FrameRing ring = new FrameRing(4);
            AtomicInteger frames = new AtomicInteger();
            ring.addListener(f -> {
                if (inListener && frames.incrementAndGet() == 3) {
                    throw new OutOfMemoryError("test, in a listener");
                }
            });
            ScriptedSource source = new ScriptedSource(false) {
                @Override
                public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
                    if (!inListener && grabs.get() == 3) {
                        throw new OutOfMemoryError("test, in grab");
                    }
                    return super.grab(alloc);
                }
            };
            RecordingFatal fatal = new RecordingFatal();
            CaptureService service = start(source, ring, CaptureObserver.NONE, fatal);
            try {
                assertTrue(fatal.called.await(10, TimeUnit.SECONDS), "the fatal handler is called");
                assertEquals(List.of("capture-scripted: java.lang.OutOfMemoryError: test, in " + (inListener ? "a listener" : "grab")),
                        fatal.calls);
            } finally {
                service.close();
                ring.close();
            }
        }
    }
}
