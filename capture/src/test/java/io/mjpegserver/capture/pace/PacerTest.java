package io.mjpegserver.capture.pace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {

    private static final long PERIOD = 33_333_333;
    private static final long TICK = 1_000 * PERIOD;

    /** Two feeds at one rate whose last frames came at different moments of a period are due at the same tick. */
    @Test
    void feedsAtOneRateAreDueOnOneGrid() {
        assertEquals(TICK + PERIOD, Pacer.due(TICK + 1, PERIOD, TICK + 2));
        assertEquals(TICK + PERIOD, Pacer.due(TICK + PERIOD - 1, PERIOD, TICK + PERIOD - 1));
    }

    @Test
    void aFrameOnTheGridIsFollowedOnePeriodLater() {
        assertEquals(TICK + PERIOD, Pacer.due(TICK, PERIOD, TICK));
    }

    /** A source late by less than a frame keeps to the grid: its next frame comes at once, and the one after on time. */
    @Test
    void aSourceLateByLessThanAFrameKeepsToTheGrid() {
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
        assertEquals(0, Pacer.due(-1, PERIOD, -1));
        assertEquals(-PERIOD, Pacer.due(-PERIOD - 1, PERIOD, -PERIOD - 1));
    }

    /** On the real clock: next returns the time it was due, once that time has come. */
    @Test
    void nextReturnsOnceItsTimeHasCome() {
        long due = Pacer.next(System.nanoTime(), 100, () -> true);
        assertTrue(System.nanoTime() - due >= 0, "returned before it was due");
    }
}
