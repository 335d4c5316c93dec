package io.mjpegserver.capture.pace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DemandTest {

    private final AtomicInteger wakes = new AtomicInteger();

    @Test
    void aCrowdOfClientsWakesTheSourceOnceWhenTheFirstComesAndOnceWhenTheLastLeaves() {
        Demand demand = new Demand(true, Duration.ofSeconds(10), wakes::incrementAndGet);
        for (int i = 0; i < 1000; i++) {
            demand.acquire();
        }
        assertEquals(1, wakes.get());
        assertEquals(1000, demand.clients());
        for (int i = 0; i < 999; i++) {
            demand.release();
        }
        assertEquals(1, wakes.get());
        assertEquals(Demand.NEVER, demand.idleAtNanos());
        demand.release();
        assertEquals(2, wakes.get());
        assertTrue(demand.idleAtNanos() != Demand.NEVER);
    }

    @Test
    void aClientDuringTheGraceWakesTheSourceSoItStaysOpen() {
        Demand demand = new Demand(true, Duration.ofMillis(1), wakes::incrementAndGet);
        demand.acquire();
        demand.release();
        long afterGrace = demand.idleAtNanos() + 1;
        assertFalse(demand.wanted(afterGrace));
        demand.acquire();
        assertEquals(3, wakes.get());
        assertTrue(demand.wanted(afterGrace));
        assertEquals(Demand.NEVER, demand.idleAtNanos());
    }

    @Test
    void aReleaseWithNoClientChangesNothing() {
        Demand demand = new Demand(true, Duration.ofSeconds(10), wakes::incrementAndGet);
        demand.release();
        assertEquals(0, wakes.get());
        assertFalse(demand.wanted(System.nanoTime()));
    }

    @Test
    void aFeedNotOnDemandIsAlwaysWanted() {
        Demand demand = new Demand(false, Duration.ofSeconds(10), wakes::incrementAndGet);
        assertTrue(demand.wanted(System.nanoTime()));
        demand.acquire();
        demand.release();
        assertTrue(demand.wanted(System.nanoTime() + Duration.ofHours(1).toNanos()));
        assertEquals(Demand.NEVER, demand.idleAtNanos());
    }
}
