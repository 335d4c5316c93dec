package io.mjpegserver.capture.relay;

import static org.junit.jupiter.api.Assertions.fail;

import io.mjpegserver.capture.FrameSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A sink that keeps a copy of each frame, notes whether it came as a slice of a read buffer, and releases it. */
final class RecordingSink implements FrameSink {

    final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> failure = new CompletableFuture<>();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger notSlices = new AtomicInteger();
    /** Frames the source said it dropped as not whole. */
    final AtomicInteger incomplete = new AtomicInteger();
    /** How many frames shared their read buffer with the frame before. */
    final AtomicInteger sharedBuffers = new AtomicInteger();
    private Object lastParent;

    @Override
    public void frame(ByteBuf jpeg) {
        try {
            ByteBuf parent = jpeg;
            while (parent.unwrap() != null) {
                parent = parent.unwrap(); // through the leak detector's wrapper and the slice
            }
            if (parent == jpeg || parent.capacity() <= jpeg.readableBytes()) {
                notSlices.incrementAndGet();
            } else if (parent == lastParent) {
                sharedBuffers.incrementAndGet();
            }
            lastParent = parent;
            frames.add(ByteBufUtil.getBytes(jpeg));
        } finally {
            jpeg.release();
        }
    }

    @Override
    public void incomplete() {
        incomplete.incrementAndGet();
    }

    @Override
    public void failed(String reason) {
        failures.incrementAndGet();
        failure.complete(reason);
    }

    /** The next {@code n} frames, within {@code timeout}; fails with the source's reason if it failed instead. */
    List<byte[]> take(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<byte[]> out = new ArrayList<>();
        while (out.size() < n) {
            byte[] frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (frame == null) {
                fail("got " + out.size() + " of " + n + " frames within " + timeout
                        + (failure.isDone() ? "; the source failed: " + failure.getNow(null) : ""));
            }
            out.add(frame);
        }
        return out;
    }

    /** The failure reason, within {@code timeout}. */
    String awaitFailure(Duration timeout) throws Exception {
        return failure.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
