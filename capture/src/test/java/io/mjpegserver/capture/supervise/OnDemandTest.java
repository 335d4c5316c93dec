package io.mjpegserver.capture.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.supervise.CaptureServiceTest.RecordingFatal;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.source.FrameSources;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Capture on demand: opened at the first client, closed a grace period after the last, for both kinds of source. */
class OnDemandTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final CaptureOptions ON_DEMAND = new CaptureOptions(true, Duration.ofMillis(300), false);

    /** A pulled source that counts its opens and closes, the closes also as events. */
    static final class CountingSource implements FrameSource {
        final FrameSource inner;
        final AtomicInteger opens = new AtomicInteger();
        final LinkedBlockingQueue<String> closes = new LinkedBlockingQueue<>();

        CountingSource(FrameSource inner) {
            this.inner = inner;
        }

        @Override
        public void open() throws SourceException {
            opens.incrementAndGet();
            inner.open();
        }

        @Override
        public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
            return inner.grab(alloc);
        }

        @Override public int width() { return inner.width(); }
        @Override public int height() { return inner.height(); }
        @Override public double pacingFps() { return inner.pacingFps(); }
        @Override public double nominalFps() { return inner.nominalFps(); }

        @Override
        public void close() {
            inner.close();
            closes.add("closed");
        }
    }

    /** Polls {@code condition} until it holds, for at most 15 s. */
    private static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 15 s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Whether a live thread of this JVM has a name starting with {@code prefix}. */
    private static boolean threadNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().startsWith(prefix));
    }

    private final FrameRing ring = new FrameRing(4);
    private final RecordingFatal fatal = new RecordingFatal();
    private CaptureService service;
    private FakePushSource pushed;

    @AfterEach
    void close() throws InterruptedException {
        if (service != null) {
            service.close();
        }
        ring.close();
        if (pushed != null) {
            pushed.shutdown();
        }
    }

    private void start(FrameSource source, String description, CaptureOptions options) throws SourceException {
        service = CaptureService.start(source, description, 80, options, ring, ALLOC, CaptureObserver.NONE, fatal,
                CaptureServiceTest.THREADS);
    }

    private void start(FakePushSource source) throws SourceException {
        pushed = source;
        service = CaptureService.start(source, "relay", 80, new VideoSize(320, 240), ON_DEMAND, ring, ALLOC,
                CaptureObserver.NONE, fatal, CaptureServiceTest.THREADS);
    }

    /**
     * Acquires a client and waits (at most 15 s) for the next frame published, retained for the caller, who releases
     * it; the client is released before the frame is returned.
     */
    private Frame nextFrame() throws Exception {
        CompletableFuture<Frame> next = new CompletableFuture<>();
        FrameListener listener = frame -> {
            Frame retained = frame.retain();
            if (!next.complete(retained)) {
                retained.release();
            }
        };
        ring.addListener(listener);
        service.acquire();
        try {
            return next.get(15, TimeUnit.SECONDS);
        } finally {
            ring.removeListener(listener);
            service.release();
        }
    }

    /** {@link #nextFrame()} of an idle feed, its cold start reported as {@code what}. */
    private Frame coldStart(String what, int round) throws Exception {
        long asked = System.nanoTime();
        Frame first = nextFrame();
        System.out.printf(Locale.ROOT, "cold start, %s, round %d: first frame after %.1f ms%n", what, round,
                (System.nanoTime() - asked) / 1e6);
        return first;
    }

    /**
     * The test pattern on demand: not opened at start (idle, nothing published, no thread of its own);
     * opened by a client, who gets the first frame (time to first frame reported); closed the
     * grace period after the last client; opened again by the next.
     */
    @Test
    void aPulledSourceOpensAtTheFirstClientAndClosesAfterTheGrace() throws Exception {
        CountingSource source = new CountingSource(FrameSources.create(CaptureConfig.testPattern()));
        start(source, "pattern", ON_DEMAND);
        assertEquals(0, source.opens.get(), "not opened before a client");
        assertTrue(service.idle());
        assertTrue(service.stats().idle());
        assertFalse(threadNamed("capture-pattern"), "an idle feed has no capture thread");
        assertFalse(threadNamed("capture-watchdog-pattern"), "nor a watchdog thread");
        assertEquals(0, ring.published(), "an idle feed publishes nothing, not even NO SIGNAL");

        for (int round = 1; round <= 2; round++) {
            Frame first = coldStart("test pattern 1280x720", round);
            try {
                assertEquals(1280, first.width());
                assertTrue(first.size() > 1000, "a real frame, not NO SIGNAL's absence");
            } finally {
                first.release();
            }
            assertEquals(round, source.opens.get());
            assertFalse(service.idle());
            assertEquals(0, service.stats().clients(), "the client left with its frame");
            assertNotNull(source.closes.poll(15, TimeUnit.SECONDS), "closed after the grace period");
            eventually(service::idle, "idle once closed");
            assertEquals(0, service.stats().failures());
        }
        long published = ring.published();
        eventually(() -> !threadNamed("capture-pattern"), "its capture thread ended once idle");
        assertNull(source.closes.poll(500, TimeUnit.MILLISECONDS), "no more closes");
        assertEquals(published, ring.published(), "nothing published while idle");
        assertTrue(fatal.calls.isEmpty(), fatal.calls.toString());
    }

    /** A stream client keeps it open past the grace; its release starts the grace. */
    @Test
    void aClientKeepsThePulledSourceOpen() throws Exception {
        CaptureServiceTest.ScriptedSource source = new CaptureServiceTest.ScriptedSource(false);
        start(source, "scripted", ON_DEMAND);
        service.acquire();
        eventually(() -> ring.published() > 0, "frames once a client came");
        long before = ring.published();
        // Past the grace period, frames still come: the client holds it open.
        nextFrame().release();
        eventually(() -> ring.published() > before + 100, "frames keep coming while the client stays");
        assertEquals(1, source.opens.get());
        assertEquals(0, source.closes.get());
        service.release();
        eventually(() -> source.closes.get() == 1, "closed after the last client and the grace");
        assertTrue(service.idle());
        assertEquals(1, source.opens.get());
    }

    /** A pushed source on demand: no connection before the first client nor after the grace; reconnected for the next. */
    @Test
    void aPushedSourceConnectsOnlyWhileWatched() throws Exception {
        FakePushSource source = new FakePushSource(ALLOC, 0);
        source.jpeg(64, 48, "warm up").release();
        source.onOpen = sink -> {
            try {
                sink.frame(source.jpeg(640, 480, "first"));
            } catch (SourceException e) {
                throw new IllegalStateException(e);
            }
        };
        start(source);
        assertEquals(0, source.opens.get(), "no connection before a client");
        assertTrue(service.idle());
        assertFalse(threadNamed("capture-relay"), "an idle relay has no thread of its own");
        assertFalse(threadNamed("capture-watchdog-relay"), "nor a watchdog thread");
        for (int round = 1; round <= 2; round++) {
            Frame first = coldStart("test push source", round);
            try {
                assertTrue(source.live(first.content()), "the first frame is the upstream's");
                assertEquals(640, first.width());
            } finally {
                first.release();
            }
            assertEquals(round, source.opens.get());
            assertNotNull(source.closed.poll(15, TimeUnit.SECONDS), "disconnected after the grace period");
            eventually(service::idle, "idle once disconnected");
            assertEquals(0, service.stats().failures(), "going idle is not a loss: " + service.stats());
            assertEquals(0, service.stats().noSignalFrames());
        }
        assertTrue(fatal.calls.isEmpty(), fatal.calls.toString());
    }

    /** Not on demand, dropSameFrames on a pulled source: a still picture is published once, its repeats counted. */
    @Test
    void aPulledSourceDropsSameFramesWhenAsked() throws Exception {
        CaptureServiceTest.ScriptedSource source = new CaptureServiceTest.ScriptedSource(false);
        start(source, "scripted", new CaptureOptions(false, Duration.ofSeconds(10), true));
        eventually(() -> source.grabs.get() > 20, "grabs");
        assertEquals(1, ring.published(), "the same four bytes published once");
        assertTrue(service.stats().sameFrames() >= 19, "repeats counted: " + service.stats().sameFrames());
        assertTrue(service.stats().online());
    }
}
