package io.mjpegserver.capture.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.PooledSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code --workers}: a {@link PooledSource}'s images are encoded on a pool, and published in the order they were
 * grabbed whatever order the workers finish in; a failed encode is a loss like a failed grab; closing stops the
 * workers and frees every image.
 */
class EncoderPoolTest {

    /**
     * Images numbered 1, 2, 3... in grab order; each encodes to FF D8, its number, FF D9. With {@code outOfOrder},
     * image 1's encode waits until image 3's is done (so with 3 workers they finish out of order); encodes of the numbers in
     * {@code failOn} fail, with a {@link SourceException} or, for negative ones, a RuntimeException.
     */
    static final class NumberedSource extends CaptureServiceTest.CountedSource implements PooledSource {
        final AtomicInteger grabbed = new AtomicInteger();
        final AtomicInteger liveImages = new AtomicInteger();
        final AtomicInteger encoders = new AtomicInteger();
        final AtomicInteger encodersClosed = new AtomicInteger();
        final List<Integer> finished = new CopyOnWriteArrayList<>();
        final CountDownLatch thirdDone = new CountDownLatch(1);
        private final boolean outOfOrder;
        private final Set<Integer> failOn;
        private final Set<Integer> bugOn;

        NumberedSource(boolean outOfOrder, Set<Integer> failOn, Set<Integer> bugOn) {
            super(1920, 1080, 200);
            this.outOfOrder = outOfOrder;
            this.failOn = failOn;
            this.bugOn = bugOn;
        }

        record Numbered(int number, AtomicInteger live) implements Image {
            @Override
            public void close() {
                live.decrementAndGet();
            }
        }

        @Override
        public Image grabImage() {
            liveImages.incrementAndGet();
            return new Numbered(grabbed.incrementAndGet(), liveImages);
        }

        @Override
        public Encoder newEncoder() {
            encoders.incrementAndGet();
            return new Encoder() {
                @Override
                public ByteBuf encode(Image image, ByteBufAllocator alloc) throws SourceException {
                    int n = ((Numbered) image).number();
                    if (n == 1 && outOfOrder) {
                        await(thirdDone);
                    }
                    if (failOn.contains(n)) {
                        throw new SourceException("scripted encode failure on " + n);
                    }
                    if (bugOn.contains(n)) {
                        throw new IllegalStateException("encoder bug on " + n);
                    }
                    ByteBuf jpeg = alloc.directBuffer(8).writeShort(0xFFD8).writeInt(n).writeShort(0xFFD9);
                    finished.add(n);
                    if (n == 3) {
                        thirdDone.countDown();
                    }
                    return jpeg;
                }

                @Override
                public long lastEncodeNanos() {
                    return 1000;
                }

                @Override
                public void close() {
                    encodersClosed.incrementAndGet();
                }
            };
        }

        @Override
        public ByteBuf grab(ByteBufAllocator alloc) {
            throw new AssertionError("with workers, the capture thread never encodes");
        }

        private static void await(CountDownLatch latch) {
            try {
                assertTrue(latch.await(10, TimeUnit.SECONDS), "image 3 is encoded while image 1 waits");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The number a {@link NumberedSource} frame carries; 0 for a NO SIGNAL frame (a real JPEG, longer). */
    private static int number(Frame frame) {
        ByteBuf jpeg = frame.content();
        return jpeg.readableBytes() == 8 ? jpeg.getInt(jpeg.readerIndex() + 2) : 0;
    }

    private static CaptureService start(NumberedSource source, int workers, FrameRing ring, CaptureObserver observer) throws Exception {
        return CaptureService.start(source, "numbered", 80,
                new CaptureOptions(false, Duration.ofSeconds(10), false, 0, workers), ring, PooledByteBufAllocator.DEFAULT,
                observer, CaptureServiceTest.FAIL_ON_FATAL, CaptureServiceTest.THREADS);
    }

    private static List<Thread> encodeThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("encode-numbered-") && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void framesArePublishedInGrabOrderWhenWorkersFinishOutOfOrder() throws Exception {
        FrameRing ring = new FrameRing(4);
        CountDownLatch thirty = new CountDownLatch(30);
        List<long[]> seen = CaptureServiceTest.record(ring, thirty,
                f -> new long[] {f.sequence(), number(f), f.monotonicNanos()});
        NumberedSource source = new NumberedSource(true, Set.of(), Set.of());
        CaptureService service = start(source, 3, ring, CaptureObserver.NONE);
        try {
            assertTrue(thirty.await(10, TimeUnit.SECONDS), "30 frames published");
            assertEquals(3, encodeThreads().size(), "three workers");
        } finally {
            service.close();
            ring.close();
        }
        assertTrue(source.finished.indexOf(3) < source.finished.indexOf(1), "image 3 was encoded before image 1: "
                + source.finished.subList(0, 5));
        for (int i = 0; i < 30; i++) {
            long[] frame = seen.get(i);
            assertEquals(i + 1, frame[0], "sequence numbers follow each other");
            assertEquals(i + 1, frame[1], "frames come in grab order, none missing: " + seen.stream().limit(i + 1)
                    .map(f -> Long.toString(f[1])).toList());
            if (i > 0) {
                assertTrue(frame[2] > seen.get(i - 1)[2], "timestamps grow");
            }
        }
    }

    @Test
    void anEncoderFailureIsALossAndTheSourceIsReopened() throws Exception {
        for (boolean bug : new boolean[] {false, true}) {
            FrameRing ring = new FrameRing(4);
            CountDownLatch liveAfter = new CountDownLatch(5);
            List<Integer> numbers = new CopyOnWriteArrayList<>();
            ring.addListener(f -> {
                numbers.add(number(f));
                if (number(f) > 8) {
                    liveAfter.countDown();
                }
            });
            NumberedSource source = bug ? new NumberedSource(false, Set.of(), Set.of(6))
                    : new NumberedSource(false, Set.of(6), Set.of());
            CaptureServiceTest.RecordingObserver observer = new CaptureServiceTest.RecordingObserver();
            CaptureService service = start(source, 2, ring, observer);
            try {
                assertTrue(observer.failed.await(10, TimeUnit.SECONDS), "the loss is told");
                assertTrue(liveAfter.await(10, TimeUnit.SECONDS), "the source is reopened and frames follow");
                CaptureStats stats = service.stats();
                String expected = bug ? "internal error while encoding a frame (IllegalStateException): see the log"
                        : "scripted encode failure on 6";
                assertEquals(List.of(expected), observer.failures);
                assertEquals(expected, stats.lastError());
                assertEquals(1, stats.failures(), "one loss");
                assertEquals(bug ? 1 : 0, stats.internalErrors(), "a bug of ours is counted as one");
                assertEquals(2, source.opens.get(), "closed and opened again, as after a failed grab");
                assertEquals(List.of(1, 2, 3, 4, 5), numbers.subList(0, 5), "the frames before the failure");
                assertTrue(numbers.indexOf(7) < 0 || numbers.indexOf(7) > numbers.indexOf(0),
                        "nothing grabbed before the loss is published after it: " + numbers);
            } finally {
                service.close();
                ring.close();
            }
        }
    }

    @Test
    void closeStopsTheWorkersAndFreesEveryImage() throws Exception {
        FrameRing ring = new FrameRing(4);
        CountDownLatch twenty = new CountDownLatch(20);
        ring.addListener(f -> twenty.countDown());
        NumberedSource source = new NumberedSource(true, Set.of(), Set.of());
        CaptureService service = start(source, 4, ring, CaptureObserver.NONE);
        try {
            assertTrue(twenty.await(10, TimeUnit.SECONDS), "20 frames published");
        } finally {
            service.close();
            ring.close();
        }
        assertEquals(List.of(), encodeThreads(), "no worker left");
        assertEquals(0, source.liveImages.get(), "every image closed");
        assertEquals(4, source.encoders.get(), "an encoder per worker");
        assertEquals(4, source.encodersClosed.get(), "every encoder closed");
        assertEquals(source.opens.get(), source.closes.get(), "the source closed");
    }

    @Test
    void smallFramesAreEncodedOnTheCaptureThreadUnlessWorkersAreAsked() {
        CaptureOptions auto = CaptureOptions.DEFAULTS;
        assertEquals(1, auto.workersFor(new VideoSize(1280, 720), 2));
        assertEquals(2, auto.workersFor(new VideoSize(1920, 1080), 2));
        assertEquals(4, auto.workersFor(new VideoSize(3840, 2160), 16));
        assertEquals(3, auto.withWorkers(3).workersFor(new VideoSize(640, 480), 2));
    }
}
