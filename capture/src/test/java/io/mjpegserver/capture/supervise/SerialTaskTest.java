package io.mjpegserver.capture.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SerialTaskTest {

    private final ScheduledExecutorService pool = Executors.newScheduledThreadPool(2);

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void runHereRunsOnTheCallersThreadBeforeItReturns() {
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        SerialTask task = new SerialTask(pool, () -> ranOn.add(Thread.currentThread()));
        task.runHere();
        assertEquals(List.of(Thread.currentThread()), ranOn, "run here, without waking a pool thread");
    }

    @Test
    void aRequestRunsOnAPoolThreadNotTheCallers() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        Thread[] ranOn = new Thread[1];
        SerialTask task = new SerialTask(pool, () -> {
            ranOn[0] = Thread.currentThread();
            ran.countDown();
        });
        task.request();
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertNotSame(Thread.currentThread(), ranOn[0]);
    }

    @Test
    void askedDuringARunItRunsOnceMoreOnThatThreadAndNeverTwoAtOnce() throws Exception {
        CountDownLatch firstRunStarted = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch secondRunDone = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        SerialTask task = new SerialTask(pool, () -> {
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            ranOn.add(Thread.currentThread());
            if (runs.incrementAndGet() == 1) {
                firstRunStarted.countDown();
                try {
                    asked.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                secondRunDone.countDown();
            }
            running.decrementAndGet();
        });
        Thread first = new Thread(task::runHere, "serial-task-test-first");
        first.start();
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        // Both while the first run is under way: neither runs the task itself, the first run goes once more.
        task.runHere();
        task.request();
        asked.countDown();
        assertTrue(secondRunDone.await(10, TimeUnit.SECONDS));
        first.join(10_000);
        assertEquals(2, runs.get(), "once for the run under way, once more for everything asked during it");
        assertEquals(0, overlaps.get());
        assertSame(first, ranOn.get(0));
        assertSame(first, ranOn.get(1));
    }
}
