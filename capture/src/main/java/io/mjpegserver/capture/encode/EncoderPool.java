package io.mjpegserver.capture.encode;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.PooledSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Encodes a {@link PooledSource}'s images on {@code n} workers ({@code encode-NAME-i}, each its own encoder) and
 * hands the JPEGs on in grab order: none dropped or reordered, unlike ustreamer's workers. {@link #submit} blocks
 * the capture thread while all are busy. A failed encode reaches the {@link Sink} in its turn as a loss. A job's
 * image is closed by its worker; a JPEG goes to the sink, or is released when the pool closes first.
 */
public final class EncoderPool implements AutoCloseable {

    /** One image to encode, and what the frame stage needs of its grab (begun at {@code startedNanos}). */
    public record Job(long generation, long startedNanos, VideoSize size, PooledSource.Image image) {
    }

    /** Where JPEGs go, in grab order, on whichever worker thread completes the oldest job. */
    public interface Sink {
        /** {@code jpeg} (the sink's to release) of {@code job}; whether the source is still up. */
        boolean encoded(Job job, ByteBuf jpeg, long encodeNanos);

        /** {@code job} could not be encoded: a loss, which the sink declares. */
        void failed(Job job, Exception failure);
    }

    /** A job and, once done, its outcome. Fields written by a worker before {@code done}, read under the order lock. */
    private static final class Slot {
        final Job job;
        ByteBuf jpeg;
        long encodeNanos;
        Exception failure;
        boolean done;

        Slot(Job job) {
            this.job = job;
        }
    }

    private static final Slot STOP = new Slot(null);

    private final PooledSource source;
    private final ByteBufAllocator alloc;
    private final Sink sink;
    private final FatalErrorHandler fatal;
    private final int size;
    private final Semaphore free;
    private final LinkedBlockingQueue<Slot> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock order = new ReentrantLock();
    /** Submitted and not yet handed on, oldest first; under {@link #order}. */
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean broken;

    /** Starts {@code size} workers named {@code encode-NAME-i}. */
    public EncoderPool(PooledSource source, int size, String name, ByteBufAllocator alloc, Sink sink, FatalErrorHandler fatal) {
        this.source = source;
        this.alloc = alloc;
        this.sink = sink;
        this.fatal = fatal;
        this.size = size;
        this.free = new Semaphore(size);
        for (int i = 0; i < size; i++) {
            Thread worker = new Thread(this::work, "encode-" + name + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    public int size() {
        return size;
    }

    /**
     * Queues {@code job} once a worker is free; the pool owns its image from here (closed even when this throws).
     * Capture thread only.
     *
     * @throws InterruptedException the capture thread was interrupted (the watchdog's, on a hang) while waiting
     */
    public void submit(Job job) throws InterruptedException {
        try {
            free.acquire();
        } catch (InterruptedException e) {
            job.image().close();
            throw e;
        }
        Slot slot = new Slot(job);
        order.lock();
        try {
            pending.add(slot);
        } finally {
            order.unlock();
        }
        queue.add(slot);
    }

    /** Whether a job failed, or its frame came too late for its generation, since the last call; clears it. */
    public boolean takeBroken() {
        boolean was = broken;
        broken = false;
        return was;
    }

    /**
     * Waits up to {@code timeoutNanos} until no job is in flight (before the source closes: its images are
     * done with). Whether it got there.
     */
    public boolean drain(long timeoutNanos) {
        try {
            if (free.tryAcquire(size, timeoutNanos, TimeUnit.NANOSECONDS)) {
                free.release(size);
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void work() {
        PooledSource.Encoder encoder = null;
        try {
            encoder = source.newEncoder();
            for (Slot slot; (slot = queue.take()) != STOP;) {
                encode(encoder, slot);
                handOn();
            }
        } catch (InterruptedException e) {
            // Closed while waiting for a job.
        } catch (Error e) {
            fatal.fatal(Thread.currentThread().getName(), e);
        } finally {
            if (encoder != null) {
                encoder.close();
            }
        }
    }

    private void encode(PooledSource.Encoder encoder, Slot slot) {
        ByteBuf jpeg = null;
        Exception failure = null;
        try {
            jpeg = encoder.encode(slot.job.image(), alloc);
        } catch (SourceException | RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            failure = e;
        } finally {
            slot.job.image().close();
        }
        order.lock();
        try {
            slot.jpeg = jpeg;
            slot.encodeNanos = encoder.lastEncodeNanos();
            slot.failure = failure;
            slot.done = true;
        } finally {
            order.unlock();
        }
    }

    /** Hands on every done job at the head of the line, oldest first; one thread at a time, so in order. */
    private void handOn() {
        order.lock();
        try {
            while (!pending.isEmpty() && pending.peek().done) {
                Slot slot = pending.poll();
                try {
                    if (slot.failure != null) {
                        broken = true;
                        sink.failed(slot.job, slot.failure);
                    } else if (!sink.encoded(slot.job, slot.jpeg, slot.encodeNanos)) {
                        broken = true;
                    }
                } finally {
                    // Only now: drain() then sees the outcome of every job it waited for.
                    free.release();
                }
            }
        } finally {
            order.unlock();
        }
    }

    /**
     * Stops the workers (a job under way is finished first, up to a second each) and releases every JPEG not
     * handed on. Call {@link #drain} first to hand on what is in flight.
     */
    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            queue.add(STOP);
        }
        joinWorkers(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        order.lock();
        try {
            for (Slot slot; (slot = pending.poll()) != null;) {
                if (slot.jpeg != null) {
                    slot.jpeg.release();
                }
            }
        } finally {
            order.unlock();
        }
    }

    /** Waits for the workers to end until {@code deadlineNanos}; a worker still encoding then ends after its job. */
    private void joinWorkers(long deadlineNanos) {
        boolean interrupted = false;
        for (Thread worker : workers) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(worker, Math.max(1, deadlineNanos - System.nanoTime()));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
