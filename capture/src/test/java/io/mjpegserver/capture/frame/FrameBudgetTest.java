package io.mjpegserver.capture.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * A ring within its feed's budget: its oldest frames go first, down to the newest alone; then the frames readers
 * pin beyond the ring are told to go (the cutoff), oldest first.
 */
class FrameBudgetTest {

    /** Over a 4 MiB chunk: a frame's footprint is its size. */
    private static final int SIZE = 5 << 20;

    private static Frame frame(long sequence) {
        ByteBuf jpeg = Unpooled.buffer(SIZE).writerIndex(SIZE);
        return new Frame(sequence, sequence, sequence, 16, 16, jpeg);
    }

    @Test
    void theRingDropsItsOldestFramesToStayWithinTheBudget() {
        FrameBudget budget = new FrameBudget(3L * SIZE);
        // Asks for 10 frames whatever their age, and 60 s of them.
        FrameRing ring = new FrameRing(10, 60_000_000_000L, 20, budget);
        for (int i = 1; i <= 12; i++) {
            ring.publish(frame(i));
            assertTrue(budget.used() <= budget.limit(), "within the budget after frame " + i + ": " + budget.used());
        }
        assertEquals(3, ring.occupancy());
        assertEquals(new long[] {10, 12}[0], ring.sequenceSpan()[0], "the newest three are kept");
        assertEquals(9, budget.framesDropped());
        assertEquals(0, budget.cutoff(), "nobody pins anything: nobody has to go");
        ring.close();
        assertEquals(0, budget.used());
    }

    @Test
    void framesPinnedBeyondTheRingRaiseTheCutoffOldestFirst() {
        FrameBudget budget = new FrameBudget(4L * SIZE);
        FrameRing ring = new FrameRing(2, 0, 4, budget);
        for (int i = 1; i <= 4; i++) {
            ring.publish(frame(i));
            // A reader (an event loop) pins each frame as it comes, and keeps it.
            budget.hold(i, SIZE);
        }
        assertEquals(4L * SIZE, budget.used(), "each frame is counted once, held by the ring and a reader");
        assertEquals(0, budget.cutoff());
        ring.publish(frame(5));
        // Frames 1 to 4 are pinned: the ring drops what it can (frames 3 and 4 stay pinned), and the oldest pinned
        // frame must go for the newest to fit.
        assertEquals(1, ring.occupancy(), "the ring keeps its newest frame alone");
        assertEquals(2, budget.cutoff(), "readers pinning frame 1 are to go");
        budget.release(1);
        assertEquals(4L * SIZE, budget.used());
        // Frame 1 let go: frames 2 to 4 and the newest fit once the ring drops frame 5.
        ring.publish(frame(6));
        assertEquals(1, ring.occupancy());
        assertEquals(4L * SIZE, budget.used());
        assertEquals(2, budget.cutoff(), "nobody else has to go");
        budget.hold(6, SIZE);
        ring.publish(frame(7));
        assertEquals(3, budget.cutoff(), "then those pinning frame 2, the oldest");
        for (int i = 2; i <= 4; i++) {
            budget.release(i);
        }
        budget.release(6);
        ring.publish(frame(8));
        assertEquals(2, ring.occupancy(), "the ring grows back to its own limits");
        assertEquals(2L * SIZE, budget.used());
        ring.close();
        assertEquals(0, budget.used());
    }

    @Test
    void aFrameSmallerThanAChunkCostsItsShareOfOne() {
        assertEquals(4L << 20, FrameBudget.footprint(2_400_000), "one 2.5 MiB class a 4 MiB chunk");
        assertEquals(2L << 20, FrameBudget.footprint(1_500_000), "two 1.5 MiB classes a chunk");
        assertEquals(9L << 20, FrameBudget.footprint(9 << 20), "beyond a chunk, its size");
        assertTrue(FrameBudget.footprint(100_000) < 120_000, "a small frame costs about its size");
    }

    @Test
    void theCutoffPassesTheOldestFramesWhateverOrderTheyWereHeldIn() {
        FrameBudget budget = new FrameBudget(2L * SIZE);
        // A loop pins frame 2 after the ring took frame 3: the budget still sees 2 as the older.
        budget.hold(3, SIZE);
        budget.hold(2, SIZE);
        budget.hold(4, SIZE);
        budget.settle(4);
        assertEquals(3, budget.cutoff(), "the clients of frame 2, the oldest, are the ones to go");
    }

    @Test
    void aFrameCountsTheWholeBufferItWasSlicedFrom() {
        ByteBuf read = Unpooled.buffer(1 << 20).writerIndex(1 << 20);
        try {
            assertEquals(1 << 20, FrameBudget.allocated(read.slice(100, 60_000)), "a relayed JPEG keeps its part's buffer");
            assertEquals(1 << 20, FrameBudget.allocated(read));
        } finally {
            read.release();
        }
    }
}
