package io.mjpegserver.capture.derive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.derive.Transform.Scale;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.Arrays;

class DerivedStreamTest {

    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static byte[] pattern;

    private final FrameRing source = new FrameRing(4);
    private final FrameRing target = new FrameRing(4);
    private final BlockingQueue<Frame> derived = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> interrupts = new LinkedBlockingQueue<>();
    private DeriveWorkers workers;
    private long sequence;

    @BeforeAll
    static void draw() throws Exception {
        pattern = Pictures.pattern(1280, 720);
    }

    @BeforeEach
    void start() {
        workers = new DeriveWorkers(1, FatalErrorHandler.HALT);
        target.addListener(new FrameListener() {
            @Override
            public void onFrame(Frame frame) {
                derived.add(frame.retainedDuplicate());
            }

            @Override
            public void onHistory(long throughSequence) {
                interrupts.add(throughSequence);
            }
        });
    }

    @AfterEach
    void stop() {
        workers.close();
        source.close();
        target.close();
        for (Frame f; (f = derived.poll()) != null;) {
            f.release();
        }
    }

    private void publish(byte[] jpeg, boolean live) {
        sequence++;
        source.publish(new Frame(sequence, 1_000 + sequence, 2_000 + sequence, 1280, 720, Pictures.direct(jpeg), live));
    }

    private Frame next() throws InterruptedException {
        Frame frame = derived.poll(10, TimeUnit.SECONDS);
        assertNotNull(frame, "a derived frame within 10 s");
        return frame;
    }

    private CountDownLatch block() {
        return BusyWorker.block(workers);
    }

    @Test
    void derivesEveryFrameKeepingItsTimesAndLiveFlag() throws Exception {
        BlockingQueue<Integer> observed = new LinkedBlockingQueue<>();
        Transform t = Transform.quality(70).withScale(new Scale(320, 0));
        try (DerivedStream stream = new DerivedStream("porch", t, target, workers, ALLOC,
                (latency, work, bytes) -> observed.add(bytes))) {
            source.addListener(stream);
            for (int i = 1; i <= 3; i++) {
                publish(pattern, i != 2);
                Frame frame = next();
                try {
                    assertEquals(i, frame.sequence(), "its own numbering");
                    assertEquals(1_000 + i, frame.monotonicNanos());
                    assertEquals(2_000 + i, frame.wallClockMicros());
                    assertEquals(i != 2, frame.live());
                    assertEquals("320x180", frame.width() + "x" + frame.height());
                    Pictures.decodeAndRelease(frame.content().retain(), 320, 180);
                    assertEquals(frame.size(), observed.poll(10, TimeUnit.SECONDS), "the observer is told its bytes");
                } finally {
                    frame.release();
                }
            }
            assertEquals(3, stream.framesIn());
            assertEquals(3, stream.framesOut());
            assertEquals(0, stream.framesDropped());
        }
    }

    @Test
    void keepsOnlyTheNewestFrameWhileBusyAndNeverBlocksThePublisher() throws Exception {
        try (DerivedStream stream = new DerivedStream("porch", Transform.quality(50), target, workers, ALLOC,
                DeriveObserver.NONE)) {
            source.addListener(stream);
            CountDownLatch latch = block();
            for (int i = 0; i < 3; i++) {
                publish(pattern, true);
            }
            assertEquals(2, stream.framesDropped(), "the first two replaced while the worker was busy");
            latch.countDown();
            Frame frame = next();
            try {
                assertEquals(2_003, frame.wallClockMicros(), "the newest one");
            } finally {
                frame.release();
            }
            assertEquals(1, stream.framesOut());
            assertNull(derived.poll(200, TimeUnit.MILLISECONDS), "nothing else");
        }
    }

    @Test
    void closeReleasesTheFrameWaitingAndPublishesNothingMore() throws Exception {
        DerivedStream stream = new DerivedStream("porch", Transform.quality(50), target, workers, ALLOC,
                DeriveObserver.NONE);
        source.addListener(stream);
        CountDownLatch latch = block();
        publish(pattern, true);
        Frame held = source.latest();
        try {
            assertEquals(3, held.refCnt(), "the ring's, the stream's and ours");
            source.removeListener(stream);
            stream.close();
            assertEquals(2, held.refCnt(), "the stream let go of it");
        } finally {
            held.release();
        }
        latch.countDown();
        publish(pattern, true);
        assertNull(derived.poll(300, TimeUnit.MILLISECONDS), "nothing derived once closed");
        assertEquals(0, stream.framesOut());
    }

    @Test
    void countsACorruptFrameAndGoesOn() throws Exception {
        byte[] garbage = new byte[1000];
        Arrays.fill(garbage, (byte) 0x42);
        try (DerivedStream stream = new DerivedStream("porch", Transform.quality(50), target, workers, ALLOC,
                DeriveObserver.NONE)) {
            source.addListener(stream);
            publish(garbage, true);
            publish(pattern, true);
            Frame frame = next();
            frame.release();
            assertEquals(1, stream.framesOut());
            assertEquals(1, stream.framesFailed() + stream.framesDropped(), "the corrupt one failed, or was replaced");
        }
        try (DerivedStream stream = new DerivedStream("porch", Transform.quality(50), target, workers, ALLOC,
                DeriveObserver.NONE)) {
            source.addListener(stream);
            publish(garbage, true);
            publish(pattern, true);
            next().release();
            source.removeListener(stream);
            // With the worker free, the corrupt frame is taken before the good one comes, or replaced by it.
            assertTrue(stream.framesFailed() + stream.framesDropped() == 1);
        }
    }

    @Test
    void interruptsItsTargetWhenTheSourceGoesDown() throws Exception {
        try (DerivedStream stream = new DerivedStream("porch", Transform.quality(50), target, workers, ALLOC,
                DeriveObserver.NONE)) {
            source.addListener(stream);
            publish(pattern, true);
            next().release();
            assertNotNull(release(target.current()));
            source.interrupt();
            assertEquals(1L, interrupts.poll(10, TimeUnit.SECONDS), "the target interrupted through its frame");
            assertNull(target.current(), "the derived frame is history too");
            assertNotNull(release(target.latest()), "but kept");

            // A frame in progress when the source goes down: the target is interrupted after it.
            CountDownLatch latch = block();
            publish(pattern, true);
            source.interrupt();
            assertEquals(1, stream.framesDropped(), "the frame waiting was from before: dropped");
            assertNull(interrupts.poll(100, TimeUnit.MILLISECONDS), "not before the worker is done");
            latch.countDown();
            assertNull(interrupts.poll(300, TimeUnit.MILLISECONDS), "nothing new in the target to interrupt");
            publish(pattern, true);
            next().release();
            assertNotNull(release(target.current()), "a frame after the interruption is current");
        }
    }

    @Test
    void aFrameThatCameAfterTheSourceWentDownIsCurrentThoughTheWorkerWasBusy() throws Exception {
        try (DerivedStream stream = new DerivedStream("porch", Transform.quality(50), target, workers, ALLOC,
                DeriveObserver.NONE)) {
            source.addListener(stream);
            publish(pattern, true);
            next().release();
            CountDownLatch latch = block();
            publish(pattern, true);
            source.interrupt();
            // The source is back before the worker had its turn.
            publish(pattern, true);
            latch.countDown();
            Frame frame = next();
            frame.release();
            assertEquals(1L, interrupts.poll(10, TimeUnit.SECONDS), "the frame from before went to history");
            assertEquals(frame.sequence(), release(target.current()).sequence(),
                    "the frame from after the interruption is current");
        }
    }

    private static Frame release(Frame frame) {
        if (frame != null) {
            frame.release();
        }
        return frame;
    }

    @Test
    void derivesFromCompositeFrames() throws Exception {
        try (DerivedStream stream = new DerivedStream("porch", Transform.quality(50).withScale(new Scale(640, 0)), target,
                workers, ALLOC, DeriveObserver.NONE)) {
            source.addListener(stream);
            ByteBuf composite = Pictures.composite(pattern);
            source.publish(new Frame(++sequence, 1, 1, 1280, 720, composite));
            Frame frame = next();
            try {
                Pictures.decodeAndRelease(frame.content().retain(), 640, 360);
            } finally {
                frame.release();
            }
        }
        assertTrue(List.of(target.sequenceSpan()[1]).get(0) >= 1);
    }
}
