package io.mjpegserver.capture.pace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {

    private static final double FPS = 500;
    private static final long PERIOD = (long) (1e9 / FPS);

    /** Two feeds at one rate whose last frames came at different moments of a period are due at the same time. */
    @Test
    void feedsAtOneRateAreDueOnOneGrid() {
        long tick = Pacer.onGrid(System.nanoTime(), PERIOD);
        long early = Pacer.next(tick + 1, FPS, () -> true);
        long late = Pacer.next(tick + PERIOD - 1, FPS, () -> true);
        assertEquals(tick + PERIOD, early);
        assertEquals(early, late);
        assertTrue(System.nanoTime() - early >= 0, "next returns once its time has come");
    }

    @Test
    void aFrameOnTheGridIsFollowedOnePeriodLater() {
        long tick = Pacer.onGrid(System.nanoTime(), PERIOD);
        assertEquals(tick + PERIOD, Pacer.next(tick, FPS, () -> true));
    }

    /** A source more than a frame behind goes on from now, without a burst of frames to catch up. */
    @Test
    void aSourceFarBehindDoesNotBurst() {
        long before = System.nanoTime();
        long next = Pacer.next(before - 10 * PERIOD, FPS, () -> true);
        assertTrue(next - before >= 0, "from now, not from the missed ticks");
    }

    @Test
    void theGridHoldsForNegativeClockValues() {
        assertEquals(-PERIOD, Pacer.onGrid(-1, PERIOD));
        assertEquals(0, Pacer.onGrid(PERIOD - 1, PERIOD));
    }
}
