package io.mjpegserver.capture.pace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {

    private static final long PERIOD = 33_333_333;
    private static final long STEP = (PERIOD + 19) / 20;
    private static final long TICK = 1_000 * PERIOD;

    @Test
    void aFrameOnTheGridIsFollowedOnePeriodLater() {
        assertEquals(TICK + PERIOD, Pacer.due(TICK, PERIOD, TICK));
    }

    /** A frame a little off the grid is put on it: later or earlier, by less than a twentieth of the period. */
    @Test
    void aFrameNearTheGridIsPutOnIt() {
        assertEquals(TICK + PERIOD, Pacer.due(TICK + STEP - 1, PERIOD, TICK));
        assertEquals(TICK + PERIOD, Pacer.due(TICK - STEP + 1, PERIOD, TICK));
    }

    /** Far from the grid, a frame moves a twentieth of the period toward it, from either side, and no more. */
    @Test
    void aFrameFarFromTheGridMovesAStepTowardIt() {
        assertEquals(TICK + PERIOD + PERIOD / 3 - STEP, Pacer.due(TICK + PERIOD / 3, PERIOD, TICK));
        assertEquals(TICK + PERIOD - PERIOD / 3 + STEP, Pacer.due(TICK - PERIOD / 3, PERIOD, TICK));
    }

    /**
     * Two feeds at one rate, half a period apart (the farthest they can be), are due at the same ticks within ten
     * frames, and no interval of either is more than 5 % off the period.
     */
    @Test
    void feedsAtOneRateMeetOnTheGridWithinTenFrames() {
        long a = TICK + 1;
        long b = TICK + PERIOD / 2;
        for (int frame = 0; frame < 10; frame++) {
            long nextA = Pacer.due(a, PERIOD, a);
            long nextB = Pacer.due(b, PERIOD, b);
            assertTrue(Math.abs(nextA - a - PERIOD) <= STEP, "interval of a: " + (nextA - a));
            assertTrue(Math.abs(nextB - b - PERIOD) <= STEP, "interval of b: " + (nextB - b));
            a = nextA;
            b = nextB;
        }
        assertEquals(a, b);
        assertEquals(0, Math.floorMod(a, PERIOD), "on the grid");
    }

    /** A source late by less than a frame keeps its pace: its next frame is due at once, the one after on time. */
    @Test
    void aSourceLateByLessThanAFrameKeepsItsPace() {
        assertEquals(TICK + PERIOD, Pacer.due(TICK, PERIOD, TICK + PERIOD + PERIOD / 2));
    }

    /** A source more than a frame behind goes on from now, without a burst of frames to catch up. */
    @Test
    void aSourceFarBehindDoesNotBurst() {
        long now = TICK + 10 * PERIOD + 5;
        assertEquals(now, Pacer.due(TICK, PERIOD, now));
    }

    @Test
    void theGridHoldsForNegativeClockValues() {
        assertEquals(0, Pacer.due(-PERIOD - 1, PERIOD, -PERIOD));
        assertEquals(-PERIOD, Pacer.due(-2 * PERIOD + 1, PERIOD, -2 * PERIOD));
    }

    /** On the real clock: next returns the time it was due, once that time has come. */
    @Test
    void nextReturnsOnceItsTimeHasCome() {
        long due = Pacer.next(System.nanoTime(), 100, () -> true);
        assertTrue(System.nanoTime() - due >= 0, "returned before it was due");
    }
}
