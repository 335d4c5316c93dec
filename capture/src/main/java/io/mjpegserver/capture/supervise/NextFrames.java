package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Futures waiting for the next published frame (a snapshot of an idle feed). A ring listener: it runs on the
 * publishing thread and only completes futures, which must not run long callbacks there (use the async forms).
 */
final class NextFrames implements FrameListener {

    private final ConcurrentLinkedQueue<CompletableFuture<Frame>> waiting = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** A future completed by the next frame published after this call. */
    CompletableFuture<Frame> next() {
        CompletableFuture<Frame> future = new CompletableFuture<>();
        waiting.add(future);
        if (closed) {
            fail();
        }
        future.whenComplete((frame, failure) -> waiting.remove(future));
        return future;
    }

    /** Each waiting future gets its own reference to {@code frame}; one no one takes any more is released here. */
    @Override
    public void onFrame(Frame frame) {
        CompletableFuture<Frame> future;
        while ((future = waiting.poll()) != null) {
            Frame retained = frame.retain();
            if (!future.complete(retained)) {
                retained.release();
            }
        }
    }

    /** No frame will come: every waiting future fails. */
    void close() {
        closed = true;
        fail();
    }

    private void fail() {
        CompletableFuture<Frame> future;
        while ((future = waiting.poll()) != null) {
            future.completeExceptionally(new IllegalStateException("capture closed"));
        }
    }
}
