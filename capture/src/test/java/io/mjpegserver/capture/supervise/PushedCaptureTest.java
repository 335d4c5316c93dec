package io.mjpegserver.capture.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FrameSink;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.supervise.CaptureServiceTest.RecordingFatal;
import io.mjpegserver.capture.supervise.CaptureServiceTest.RecordingObserver;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A pushed source under the supervisor: frames on the source's own thread, failures, silence, stale sinks. */
class PushedCaptureTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final VideoSize FALLBACK = new VideoSize(320, 240);

    /** What the ring saw: live or NO SIGNAL, the size, the sequence and the publishing thread. */
    record Seen(boolean live, int width, int height, long sequence, String thread) {
    }

    private FakePushSource source;
    private FrameRing ring;
    private final LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final RecordingFatal fatal = new RecordingFatal();
    private final RecordingObserver observer = new RecordingObserver();
    private CaptureService service;

    @BeforeEach
    void setUp() throws Exception {
        source = new FakePushSource(ALLOC, 0);
        // Loads OpenCV before the clock runs: a first frame seconds late would be a silent source.
        source.jpeg(64, 48, "warm up").release();
        ring = new FrameRing(4);
        ring.addListener(f -> seen.add(new Seen(source.live(f.content()), f.width(), f.height(), f.sequence(),
                Thread.currentThread().getName())));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.close();
        }
        ring.close();
        source.shutdown();
    }

    private CaptureService start(CaptureOptions options) throws SourceException {
        service = CaptureService.start(source, "fake", 80, FALLBACK, options, ring, ALLOC, observer, fatal,
                CaptureServiceTest.THREADS);
        return service;
    }

    private Seen next() throws InterruptedException {
        Seen frame = seen.poll(15, TimeUnit.SECONDS);
        assertNotNull(frame, "a frame within 15 s");
        return frame;
    }

    /** Sends a 640x480 JPEG reading {@code text} through {@code sink}, and waits for it published live. */
    private Seen sendLive(FrameSink sink, String text) throws Exception {
        source.send(sink, source.jpeg(640, 480, text));
        return nextLive();
    }

    private Seen nextLive() throws InterruptedException {
        return next(true);
    }

    private Seen nextNoSignal() throws InterruptedException {
        return next(false);
    }

    /** The next live (or NO SIGNAL) frame within 15 s, skipping the others. */
    private Seen next(boolean live) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (;;) {
            Seen frame = seen.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(frame, (live ? "a live" : "a NO SIGNAL") + " frame within 15 s");
            if (frame.live() == live) {
                return frame;
            }
        }
    }

    @Test
    void framesArePublishedOnTheSourcesThreadStampedWithTheSizeOfTheirSof() throws Exception {
        start(CaptureOptions.DEFAULTS);
        FrameSink sink = source.nextSink();
        for (int i = 0; i < 3; i++) {
            source.send(sink, source.jpeg(640, 480, "live " + i));
        }
        List<Seen> frames = List.of(next(), next(), next());
        for (int i = 0; i < 3; i++) {
            Seen f = frames.get(i);
            assertEquals(new Seen(true, 640, 480, i + 1, FakePushSource.LOOP), f);
        }
        // The ring's listeners run inside the publish; the figures are counted after it, when the sink call ends.
        source.onLoop(() -> { });
        assertEquals(640, service.width());
        CaptureStats stats = service.stats();
        assertTrue(stats.online());
        assertEquals(3, stats.framesCaptured());
        assertEquals(0, stats.failures());
        assertTrue(service.passesThrough());
        assertTrue(fatal.calls.isEmpty(), fatal.calls.toString());
    }

    /**
     * An unreachable upstream is a loss like any other: NO SIGNAL at the fallback size until a first frame tells the real
     * size, reconnecting with backoff (each time a new sink; a failed reconnect is not a new loss); then live frames;
     * the next outage's NO SIGNAL frames have the real size.
     */
    @Test
    void anUnreachableUpstreamGivesNoSignalAtTheFallbackSizeUntilTheFirstFrame() throws Exception {
        source.onOpen = sink -> sink.failed("upstream http://cam/video.mjpg refused the connection");
        start(CaptureOptions.DEFAULTS);
        Seen noSignal = nextNoSignal();
        assertEquals(320, noSignal.width());
        assertEquals(240, noSignal.height());
        assertTrue(noSignal.thread().startsWith("capture-supervisor-"), "drawn by the watchdog: " + noSignal.thread());
        FrameSink first = source.nextSink();
        FrameSink second = source.nextSink();
        FrameSink third = source.nextSink();
        CaptureStats down = service.stats();
        assertFalse(down.online());
        assertEquals("upstream http://cam/video.mjpg refused the connection", down.lastError());
        assertEquals(1, down.failures(), "one outage, however many reconnects");
        assertEquals(List.of("upstream http://cam/video.mjpg refused the connection"), observer.failures);
        assertTrue(source.closes.get() >= 2, "closed after each failure: " + source.closes.get());
        assertTrue(first != second && second != third, "a new sink for each open");

        LinkedBlockingQueue<FrameSink> reachable = new LinkedBlockingQueue<>();
        source.onOpen = reachable::add;
        FrameSink live = reachable.poll(15, TimeUnit.SECONDS);
        assertNotNull(live, "reconnected within 15 s");
        Seen back = sendLive(live, "back");
        assertEquals(640, back.width());
        assertTrue(service.stats().online());

        source.fail(live, "upstream closed the connection mid-frame");
        Seen after = nextNoSignal();
        assertEquals(640, after.width(), "NO SIGNAL now at the real size");
        assertEquals(480, after.height());
        // The frame call ended before the failure call began, on the same thread.
        assertEquals(1, service.stats().reopens(), "a reconnect that delivered is a reopen");
        assertEquals(1, observer.reopened.get());
        assertEquals(2, service.stats().failures());
        assertTrue(fatal.calls.isEmpty(), fatal.calls.toString());
    }

    /** After a reopen, whatever the old sink still delivers is ignored, and its buffers released. */
    @Test
    void staleSinksAreIgnoredAndTheirBuffersReleased() throws Exception {
        start(CaptureOptions.DEFAULTS);
        FrameSink old = source.nextSink();
        sendLive(old, "one");
        source.fail(old, "upstream closed the connection");
        nextNoSignal();
        FrameSink current = source.nextSink();

        ByteBuf late = source.jpeg(640, 480, "late");
        source.send(old, late);
        source.fail(old, "a second failure from the old sink");
        source.onLoop(() -> { });
        assertEquals(0, late.refCnt(), "the stale frame is released");
        assertEquals(1, service.stats().failures(), "the stale failure is ignored");
        assertEquals("upstream closed the connection", service.stats().lastError());

        sendLive(current, "two");
        source.onLoop(() -> { });
        assertEquals(2, service.stats().framesCaptured(), "the current sink's frames are published");
        assertEquals(2, source.opens.get());
        assertTrue(fatal.calls.isEmpty(), fatal.calls.toString());
    }

    /**
     * A pushed source that stops sending is lost after max(3 periods, 2 s): the watchdog declares it, the source is
     * closed and reopened with a new sink; a reconnect that stays silent is tried again, not counted again.
     */
    @Test
    void theWatchdogDeclaresASilentSourceLostAndReconnects() throws Exception {
        start(CaptureOptions.DEFAULTS);
        FrameSink sink = source.nextSink();
        sendLive(sink, "only one");
        assertTrue(observer.failed.await(15, TimeUnit.SECONDS), "the silence is a loss");
        assertEquals(List.of("no frame from fake for 2.0 s: it sends nothing"), observer.failures);
        assertNotNull(source.closed.poll(15, TimeUnit.SECONDS), "the silent source is closed");
        Seen noSignal = nextNoSignal();
        assertEquals(640, noSignal.width());
        FrameSink second = source.nextSink();
        FrameSink third = source.nextSink();
        assertTrue(second != sink && third != second);
        CaptureStats stats = service.stats();
        assertEquals(1, stats.hangs());
        assertEquals(1, stats.failures(), "silent reconnects are one outage");
        // A silent reconnect is judged by the next threshold: twice the first, as the source may only be slow.
        assertEquals("no frame from fake for 4.0 s: it sends nothing", stats.lastError());
        assertTrue(fatal.calls.isEmpty(), fatal.calls.toString());
    }

    /** An Error in a sink call (here from a ring listener) goes to the fatal handler, on the source's thread. */
    @Test
    void anErrorInASinkCallGoesToTheFatalHandler() throws Exception {
        ring.addListener(f -> {
            throw new OutOfMemoryError("test, in a listener");
        });
        start(CaptureOptions.DEFAULTS);
        source.send(source.nextSink(), source.jpeg(640, 480, "boom"));
        assertTrue(fatal.called.await(15, TimeUnit.SECONDS), "the fatal handler is called");
        assertEquals(List.of(FakePushSource.LOOP + ": java.lang.OutOfMemoryError: test, in a listener"), fatal.calls);
    }

    /** A frame that is not whole never reaches the ring; it is counted. */
    @Test
    void aTruncatedFrameIsDroppedAndCounted() throws Exception {
        start(CaptureOptions.DEFAULTS);
        FrameSink sink = source.nextSink();
        ByteBuf whole = source.jpeg(640, 480, "cut");
        ByteBuf truncated = whole.retainedSlice(0, whole.readableBytes() - 100);
        whole.release();
        source.send(sink, truncated);
        Seen first = sendLive(sink, "whole");
        assertEquals(1, first.sequence(), "the truncated frame was not published");
        source.onLoop(() -> { });
        assertEquals(1, service.stats().incompleteFrames());
        assertEquals(1, service.stats().framesCaptured());
    }

    /** With dropSameFrames, a frame byte-identical to the last one published is not published again. */
    @Test
    void sameFramesAreDroppedWhenAsked() throws Exception {
        start(new CaptureOptions(false, Duration.ofSeconds(10), true));
        FrameSink sink = source.nextSink();
        ByteBuf a = source.jpeg(640, 480, "a");
        source.send(sink, a.copy());
        source.send(sink, a.copy());
        source.send(sink, a);
        source.send(sink, source.jpeg(640, 480, "b"));
        ByteBuf c = source.jpeg(640, 480, "c");
        source.send(sink, c.copy());
        source.send(sink, c);
        source.onLoop(() -> { });
        List<Long> sequences = new CopyOnWriteArrayList<>();
        Seen f;
        while ((f = seen.poll()) != null) {
            sequences.add(f.sequence());
        }
        assertEquals(List.of(1L, 2L, 3L), sequences, "a, b, c once each");
        CaptureStats stats = service.stats();
        assertEquals(3, stats.sameFrames());
        assertEquals(6, stats.framesCaptured(), "dropped frames still came from the source");
    }

    /**
     * An upstream that sends a frame every 2.5 s (a slow camera, a snapshot relay polled slowly): the watchdog may
     * declare it lost while it learns its rate, but not again and again.
     */
    @Test
    void aSlowUpstreamIsLearntNotReconnectedInALoop() throws Exception {
        java.util.concurrent.ScheduledExecutorService clock = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            java.util.concurrent.atomic.AtomicReference<FrameSink> current = new java.util.concurrent.atomic.AtomicReference<>();
            source.onOpen = sink -> {
                current.set(sink);
                try {
                    sink.frame(source.jpeg(64, 48, "on connect"));
                } catch (SourceException e) {
                    throw new IllegalStateException(e);
                }
            };
            clock.scheduleAtFixedRate(() -> {
                FrameSink sink = current.get();
                if (sink != null) {
                    try {
                        source.send(sink, source.jpeg(64, 48, "slow"));
                    } catch (SourceException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, 2_500, 2_500, TimeUnit.MILLISECONDS);
            start(CaptureOptions.DEFAULTS);
            long started = System.nanoTime();
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(16)) {
                seen.poll(1, TimeUnit.SECONDS);
            }
            CaptureStats stats = service.stats();
            System.out.printf("slow upstream (a frame every 2.5 s) for 16 s: %d hangs, %d opens, %d frames%n",
                    stats.hangs(), source.opens.get(), stats.framesCaptured());
            assertTrue(stats.hangs() <= 2, "declared lost at most twice while learning: " + stats.hangs());
            assertTrue(source.opens.get() <= 3, "not reconnected in a loop: " + source.opens.get());
            assertTrue(stats.online(), "up at the end");
        } finally {
            clock.shutdownNow();
        }
    }

    @Test
    void theHangThresholdFollowsTheRateWithinItsBounds() {
        assertEquals(2_000_000_000L, CaptureWatchdog.hangNanos(0, 0), "unknown: the floor");
        assertEquals(2_000_000_000L, CaptureWatchdog.hangNanos(30, 33_000_000), "fast: the floor");
        assertEquals(3_000_000_000L, CaptureWatchdog.hangNanos(1, 0), "1 fps: 3 periods");
        assertEquals(15_000_000_000L, CaptureWatchdog.hangNanos(0, 5_000_000_000L), "a frame every 5 s shown: 15 s");
        assertEquals(30_000_000_000L, CaptureWatchdog.hangNanos(0.01, 0), "the ceiling");
    }

    /** A source with huge frames gets NO SIGNAL frames of at most 1920x1080's pixels, in its aspect. */
    @Test
    void noSignalFramesAreDrawnAtABoundedSize() throws Exception {
        start(CaptureOptions.DEFAULTS);
        FrameSink sink = source.nextSink();
        source.send(sink, source.jpeg(2560, 1440, "large"));
        assertEquals(2560, nextLive().width());
        source.fail(sink, "upstream closed the connection");
        Seen noSignal = nextNoSignal();
        assertEquals(1920, noSignal.width());
        assertEquals(1080, noSignal.height());
        assertEquals(new VideoSize(1440, 1440), CaptureWatchdog.noSignalSize(8192, 8192));
        assertEquals(new VideoSize(640, 480), CaptureWatchdog.noSignalSize(640, 480));
    }

    /** Without NO SIGNAL frames, a source that is down publishes nothing until it is back. */
    @Test
    void withoutNoSignalFramesNothingIsPublishedWhileDown() throws Exception {
        source.onOpen = sink -> sink.failed("upstream refused the connection");
        start(CaptureOptions.DEFAULTS.withNoSignalFrames(false));
        source.nextSink();
        source.nextSink();
        assertFalse(service.stats().online());
        assertEquals(null, seen.poll(1_500, TimeUnit.MILLISECONDS), "no NO SIGNAL frame");
        assertEquals(0, service.stats().noSignalFrames());
    }
}
