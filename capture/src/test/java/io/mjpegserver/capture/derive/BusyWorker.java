package io.mjpegserver.capture.derive;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Keeps a worker busy for a test, so that work queues behind it. */
final class BusyWorker {

    private BusyWorker() {
    }

    /** Takes a worker of {@code workers} until the returned latch opens (or ten seconds pass). */
    static CountDownLatch block(DeriveWorkers workers) {
        CountDownLatch latch = new CountDownLatch(1);
        workers.execute(() -> {
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return latch;
    }
}
