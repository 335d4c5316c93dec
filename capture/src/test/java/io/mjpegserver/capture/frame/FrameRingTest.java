package io.mjpegserver.capture.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameRingTest {

    private static Frame frame(long sequence) {
        ByteBuf jpeg = Unpooled.directBuffer(4).writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9});
        return new Frame(sequence, sequence, sequence, 16, 16, jpeg);
    }

    @Test
    void holdsOneReferencePerSlotAndReleasesTheEvicted() {
        FrameRing ring = new FrameRing(2);
        Frame first = frame(1);
        Frame second = frame(2);
        Frame third = frame(3);
        ring.publish(first);
        ring.publish(second);
        assertEquals(1, first.refCnt());
        ring.publish(third);
        assertEquals(0, first.refCnt(), "the evicted frame is released");
        assertEquals(1, second.refCnt());
        assertEquals(2, ring.occupancy());
        assertEquals(3, ring.published());
        ring.close();
        assertEquals(0, second.refCnt());
        assertEquals(0, third.refCnt());
    }

    @Test
    void latestIsRetainedForTheCaller() {
        FrameRing ring = new FrameRing(2);
        assertNull(ring.latest());
        Frame published = frame(7);
        ring.publish(published);
        Frame latest = ring.latest();
        assertSame(published, latest);
        assertEquals(2, latest.refCnt());
        ring.close();
        assertEquals(1, latest.refCnt(), "the caller's reference outlives the ring");
        assertEquals(7, latest.sequence());
        latest.release();
        assertNull(ring.latest());
    }

    @Test
    void listenersSeeEachFrameWhileItIsValid() {
        FrameRing ring = new FrameRing(2);
        List<Long> seen = new ArrayList<>();
        ring.addListener(f -> {
            assertEquals(2, f.refCnt(), "held by the ring and for the duration of the call");
            seen.add(f.sequence());
        });
        for (long i = 1; i <= 5; i++) {
            ring.publish(frame(i));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen);
        ring.close();
    }

    @Test
    void publishAfterCloseReleasesAtOnce() {
        FrameRing ring = new FrameRing(2);
        ring.close();
        Frame late = frame(1);
        ring.publish(late);
        assertEquals(0, late.refCnt());
        assertEquals(0, ring.occupancy());
    }

    @Test
    void retainedDuplicateSharesTheBytes() {
        Frame original = frame(3);
        Frame duplicate = original.retainedDuplicate();
        assertEquals(original.content().memoryAddress(), duplicate.content().memoryAddress());
        assertEquals(3, duplicate.sequence());
        assertEquals(2, original.refCnt());
        duplicate.release();
        original.release();
        assertEquals(0, original.refCnt());
    }

    @Test
    void rejectsAnEmptyRing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameRing(0));
        assertEquals("capacity: 0 (expected: >= 1)", e.getMessage());
    }

    private static Frame frameAt(long sequence, long nanos) {
        ByteBuf jpeg = Unpooled.directBuffer(4).writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9});
        return new Frame(sequence, nanos, sequence, 16, 16, jpeg);
    }

    @Test
    void keepsAtLeastTheTimeSpanUpToTheCapAndReleasesTheRest() {
        // At least 2 frames, every frame of the last 100 ns, at most 8.
        FrameRing ring = new FrameRing(2, 100, 8);
        List<Frame> frames = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            Frame f = frameAt(i, i * 25L);
            frames.add(f);
            ring.publish(f);
        }
        // Newest at 500: 400 (frame 16) is the oldest needed to cover 100 ns; 16..20 held.
        assertEquals(5, ring.occupancy());
        assertEquals(0, frames.get(14).refCnt(), "frame 15 is released");
        assertEquals(1, frames.get(15).refCnt(), "frame 16 is held");
        // Fast frames: the cap wins.
        for (int i = 21; i <= 40; i++) {
            Frame f = frameAt(i, 500 + i);
            frames.add(f);
            ring.publish(f);
        }
        assertEquals(8, ring.occupancy());
        assertEquals(8, ring.capacity());
        Frame held = ring.bySequence(33);
        assertEquals(33, held.sequence());
        assertEquals(2, held.refCnt(), "retained for the caller");
        held.release();
        assertNull(ring.bySequence(32), "evicted");
        assertNull(ring.bySequence(41), "not yet");
        Frame before = ring.atOrBefore(500 + 35);
        assertEquals(35, before.sequence());
        before.release();
        Frame between = ring.atOrBefore(10_000);
        assertEquals(40, between.sequence());
        between.release();
        assertNull(ring.atOrBefore(500 + 32), "older than everything held");
        long[] span = ring.sequenceSpan();
        assertEquals(33, span[0]);
        assertEquals(40, span[1]);
        ring.close();
        for (Frame f : frames) {
            assertEquals(0, f.refCnt(), "frame " + f.sequence());
        }
        assertNull(ring.bySequence(40));
    }

    @Test
    void anInterruptionMakesTheHeldFramesHistory() {
        FrameRing ring = new FrameRing(4);
        long[] told = {-1};
        ring.addListener(new FrameListener() {
            @Override
            public void onFrame(Frame frame) {
            }

            @Override
            public void onHistory(long throughSequence) {
                told[0] = throughSequence;
            }
        });
        long start = System.nanoTime();
        ring.publish(frameAt(1, start - 2_000_000));
        ring.publish(frameAt(2, start - 1_000_000));
        Frame current = ring.current();
        assertEquals(2, current.sequence());
        current.release();
        ring.interrupt();
        long after = System.nanoTime();
        assertEquals(2, told[0], "listeners are told");
        assertNull(ring.current(), "the newest frame is history");
        assertFalse(ring.isCurrent(2));
        assertNull(ring.atOrBefore(after + 1), "a time after the interruption finds nothing");
        Frame before = ring.atOrBefore(start - 1_000_000);
        assertEquals(2, before.sequence(), "a time before it finds the frame of then");
        before.release();
        Frame history = ring.bySequence(1);
        assertEquals(1, history.sequence());
        history.release();
        ring.publish(frameAt(3, System.nanoTime()));
        current = ring.current();
        assertEquals(3, current.sequence(), "the next frame is current");
        current.release();
        assertTrue(ring.isCurrent(3));
        Frame gap = ring.atOrBefore(after + 1);
        assertNull(gap, "the gap stays a gap: " + gap);
        ring.close();
    }
}
