package io.mjpegserver.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CaptureServiceTest {

    /** A tiny source: valid 4-byte "JPEGs", failing on the grabs listed. */
    static final class ScriptedSource implements FrameSource {
        final AtomicInteger grabs = new AtomicInteger();
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        private final List<Integer> failOn;
        private final boolean failOpen;

        ScriptedSource(boolean failOpen, Integer... failOn) {
            this.failOpen = failOpen;
            this.failOn = List.of(failOn);
        }

        @Override
        public void open() throws SourceException {
            opens.incrementAndGet();
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

        @Override
        public int width() {
            return 16;
        }

        @Override
        public int height() {
            return 16;
        }

        @Override
        public double pacingFps() {
            return 200;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void publishesStampedFramesInOrder() throws Exception {
        FrameRing ring = new FrameRing(4);
        List<long[]> seen = new CopyOnWriteArrayList<>();
        CountDownLatch twenty = new CountDownLatch(20);
        ring.addListener(f -> {
            seen.add(new long[] {f.sequence(), f.monotonicNanos(), f.wallClockMicros()});
            twenty.countDown();
        });
        ScriptedSource source = new ScriptedSource(false);
        CaptureService service = CaptureService.start(source, "scripted", 80, ring, PooledByteBufAllocator.DEFAULT, CaptureObserver.NONE);
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
        CaptureService service = CaptureService.start(source, "scripted", 80, ring, PooledByteBufAllocator.DEFAULT, CaptureObserver.NONE);
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
                () -> CaptureService.start(source, "scripted", 80, ring, PooledByteBufAllocator.DEFAULT, CaptureObserver.NONE));
        assertEquals("scripted source cannot open", e.getMessage());
        assertEquals(1, source.closes.get());
        ring.close();
    }
}
