package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing waits on every event loop at once: a second in all, not a second per loop in turn. */
class BroadcasterCloseTest {

    private static final FatalErrorHandler IGNORE_ERRORS = (where, error) -> { };

    @Test
    void closeWaitsASecondInAllWhateverTheLoops() throws Exception {
        int loops = 4;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
        CountDownLatch release = new CountDownLatch(1);
        try {
            Broadcaster broadcaster = new Broadcaster(group, new MultipartFormat(MultipartFormat.DEFAULT_BOUNDARY),
                    UnpooledByteBufAllocator.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(3),
                    new ClientLimits(0, 0), RejectListener.NONE, IGNORE_ERRORS, ClientDemand.NONE);
            // Every loop busy (as under a flood of work at shutdown): none can run its close task in time.
            CountDownLatch busy = new CountDownLatch(loops);
            for (EventExecutor loop : group) {
                loop.execute(() -> {
                    busy.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            long started = System.nanoTime();
            broadcaster.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("close: %d busy loops, returned after %d ms%n", loops, millis);
            // One second in all; one per loop in turn would be four. The margin is for a loaded machine.
            assertTrue(millis < 2_500, "close took " + millis + " ms with " + loops + " busy loops");
        } finally {
            release.countDown();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
