package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The age of the oldest write a client's socket has not wholly taken, from the bytes still pending: what the
 * client timeout is measured against. (A stalled socket is tested for real in {@code ProtectTest} and
 * {@code StalledClientsTest}; an {@code EmbeddedChannel} takes every write at once and cannot stall.)
 */
class PartClockTest {

    @Test
    void theOldestUntakenWriteSetsTheAge() {
        PartClock clock = new PartClock();
        clock.written(100, 1_000);
        clock.written(50_000, 2_000);
        clock.written(50_000, 3_000);
        // All pending: the head (written at 1 000) is the oldest untaken.
        assertEquals(9_000, clock.oldestUntakenAge(100_100, 10_000));
        // The head and part of the first part taken: the first part, written at 2 000, is now the oldest.
        assertEquals(8_000, clock.oldestUntakenAge(90_000, 10_000));
        // The first part taken whole, to its last byte: the second is the oldest.
        assertEquals(7_000, clock.oldestUntakenAge(50_000, 10_000));
        // Everything taken: nothing is old.
        assertEquals(0, clock.oldestUntakenAge(0, 10_000));
    }

    @Test
    void aSlowButMovingClientIsNeverOld() {
        PartClock clock = new PartClock();
        long pending = 0;
        for (long t = 1; t <= 1_000; t++) {
            clock.written(1_000, t * 1_000);
            pending += 1_000;
            // Each tick the socket takes the previous write and a little of this one.
            pending = Math.min(pending, 900);
            assertEquals(0, clock.oldestUntakenAge(pending, t * 1_000));
        }
    }

    @Test
    void manyPendingWritesMergeTowardsTheOlder() {
        PartClock clock = new PartClock();
        for (int i = 0; i < 40; i++) {
            clock.written(10, i);
        }
        assertEquals(100, clock.oldestUntakenAge(400, 100));
        // The first fifteen taken: the sixteenth was written at 15, but the merged newest entries keep the age of
        // the oldest merged write, never younger than the truth.
        assertEquals(85, clock.oldestUntakenAge(250, 100));
        assertEquals(0, clock.oldestUntakenAge(0, 100));
    }

    @Test
    void aWriteAfterEverythingWasTakenStartsTheAccountAfresh() {
        PartClock clock = new PartClock();
        // Frames to a client that takes each at once; nobody asks the age while nothing is pending.
        for (long t = 1; t <= 100; t++) {
            clock.writtenAfterAllTaken(50_000, t * 1_000);
        }
        // Then the last one stays pending: it is as old as itself, not as the writes before it.
        assertEquals(500, clock.oldestUntakenAge(50_000, 100_500));
        clock.written(50_000, 101_000);
        assertEquals(2_000, clock.oldestUntakenAge(100_000, 102_000));
        assertEquals(1_000, clock.oldestUntakenAge(50_000, 102_000));
    }
}
