package io.mjpegserver.capture.jpeg;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What {@link JpegStage#process} costs per 720p frame, printed, not asserted (a shared two-core machine makes
 * any bound flaky). Measured with leak detection off, as in production: under the tests' paranoid level every
 * buffer operation records a stack trace, which would be all one measured.
 */
class JpegStageCostTest {

    private static final int WARM_UP = 10_000;
    private static final int BATCHES = 10;
    private static final int PER_BATCH = 2_000;

    @Test
    void printsTheCostPer720pFrame() throws Exception {
        byte[] whole = TestJpegs.encode(1280, 720, 11);
        byte[] stripped = TestJpegs.withoutTables(whole);
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        ByteBuf wholeFrame = alloc.directBuffer(whole.length).writeBytes(whole);
        ByteBuf strippedFrame = alloc.directBuffer(stripped.length).writeBytes(stripped);
        try {
            JpegStage stage = new JpegStage();
            long[] pass = measure(stage, wholeFrame, alloc);
            long[] insert = measure(stage, strippedFrame, alloc);
            ByteBuf completed = stage.process(strippedFrame.retain(), alloc);
            assertInstanceOf(CompositeByteBuf.class, completed, "tables inserted");
            completed.release();
            System.out.printf("JpegStage.process per 1280x720 frame (%d KB), ns per call, best and median of %d batches"
                    + " of %d, leak detection off: whole %d / %d, tables inserted %d / %d%n", whole.length / 1024,
                    BATCHES, PER_BATCH, pass[0], pass[BATCHES / 2], insert[0], insert[BATCHES / 2]);
        } finally {
            wholeFrame.release();
            strippedFrame.release();
            ResourceLeakDetector.setLevel(level);
        }
    }

    /**
     * Mean nanoseconds per call of each batch, sorted: the best batch is the figure least disturbed by the other
     * work on the machine. Each call gets its own reference to {@code frame} and releases what comes out.
     */
    private static long[] measure(JpegStage stage, ByteBuf frame, ByteBufAllocator alloc) {
        for (int i = 0; i < WARM_UP; i++) {
            stage.process(frame.retain(), alloc).release();
        }
        long[] means = new long[BATCHES];
        for (int batch = 0; batch < BATCHES; batch++) {
            long started = System.nanoTime();
            for (int i = 0; i < PER_BATCH; i++) {
                stage.process(frame.retain(), alloc).release();
            }
            means[batch] = (System.nanoTime() - started) / PER_BATCH;
        }
        Arrays.sort(means);
        return means;
    }
}
