package io.mjpegserver.capture.derive;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameListener} on a source ring that turns every source frame into one JPEG on the {@link DeriveWorkers}
 * and publishes it, with the source's times and live flag, into a target ring it does not own. Latest wins: while
 * one frame is at work, one more waits (retained), replaced by a newer one (dropped); the publisher never blocks.
 * The source going down ({@link #onHistory}) interrupts the target after the frame at work. A frame that fails (a
 * corrupt JPEG) is counted and skipped.
 */
public final class DerivedStream implements FrameListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DerivedStream.class);

    private final String name;
    private final Transform transform;
    private final FrameRing target;
    private final DeriveWorkers workers;
    private final ByteBufAllocator alloc;
    private final DeriveObserver observer;
    private final FrameProcessor processor;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private final AtomicLong framesFailed = new AtomicLong();

    private final Object lock = new Object();
    /** Under the lock: the source frame waiting (retained, released by whoever takes it), and when it came. */
    private Frame waiting;
    private long waitingSince;
    /** Under the lock: a task is queued or running; it takes the waiting frame. */
    private boolean scheduled;
    /** Under the lock: a task is deriving a frame, with the processor. */
    private boolean running;
    /**
     * Under the lock: the target is to be interrupted by the task scheduled, after the frame in progress or, when
     * none was, before the next one.
     */
    private boolean interruptAfter;
    private boolean closed;
    private boolean processorClosed;
    /** Worker only (one task at a time). */
    private long nextSequence;

    /**
     * @param name the feed's name, for the overlay's {@code %$} and log lines
     * @param target where derived frames go; not closed here
     */
    public DerivedStream(String name, Transform transform, FrameRing target, DeriveWorkers workers,
            ByteBufAllocator alloc, DeriveObserver observer) {
        this.name = name;
        this.transform = transform;
        this.target = target;
        this.workers = workers;
        this.alloc = alloc;
        this.observer = observer == null ? DeriveObserver.NONE : observer;
        this.processor = new FrameProcessor(transform, name);
        // Continues the target's numbering, should it have held another stream's frames.
        this.nextSequence = target.sequenceSpan()[1] + 1;
    }

    @Override
    public void onFrame(Frame frame) {
        framesIn.incrementAndGet();
        Frame mine = frame.retainedDuplicate();
        Frame replaced;
        boolean submit;
        synchronized (lock) {
            if (closed) {
                replaced = mine;
                submit = false;
            } else {
                replaced = waiting;
                waiting = mine;
                waitingSince = System.nanoTime();
                submit = !scheduled;
                scheduled = true;
            }
        }
        if (replaced != null) {
            if (replaced != mine) {
                framesDropped.incrementAndGet();
            }
            replaced.release();
        }
        if (submit && !workers.execute(this::work)) {
            // The workers are closed: nothing will take the frame.
            synchronized (lock) {
                scheduled = false;
                replaced = waiting;
                waiting = null;
                lock.notifyAll();
            }
            if (replaced != null) {
                framesDropped.incrementAndGet();
                replaced.release();
            }
        }
    }

    @Override
    public void onHistory(long throughSequence) {
        boolean now;
        Frame stale = null;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (waiting != null && waiting.sequence() <= throughSequence) {
                stale = waiting;
                waiting = null;
            }
            now = !scheduled;
            interruptAfter = scheduled;
        }
        if (stale != null) {
            framesDropped.incrementAndGet();
            stale.release();
        }
        if (now) {
            target.interrupt();
        }
    }

    /** On a worker: derives the waiting frame, then hands the next one to a worker (so streams take turns). */
    private void work() {
        Frame source;
        long since;
        boolean interruptFirst;
        synchronized (lock) {
            if (closed) {
                finish();
                return;
            }
            source = waiting;
            since = waitingSince;
            waiting = null;
            running = source != null;
            // The source went down while this task waited its turn: the frame waiting now came after that (an
            // older one was dropped then), so the target is interrupted before it, not after.
            interruptFirst = interruptAfter;
            interruptAfter = false;
        }
        if (interruptFirst) {
            target.interrupt();
        }
        if (source != null) {
            try {
                derive(source, since);
            } finally {
                source.release();
            }
        }
        boolean interrupt;
        synchronized (lock) {
            running = false;
            interrupt = interruptAfter && !closed;
            interruptAfter = false;
            lock.notifyAll();
        }
        // Still scheduled: no other task publishes before the interrupt.
        if (interrupt) {
            target.interrupt();
        }
        boolean again;
        synchronized (lock) {
            again = waiting != null && !closed;
            if (!again) {
                finish();
            }
        }
        if (again && !workers.execute(this::work)) {
            Frame left;
            synchronized (lock) {
                left = waiting;
                waiting = null;
                finish();
            }
            if (left != null) {
                framesDropped.incrementAndGet();
                left.release();
            }
        }
    }

    /** Under the lock: no task is scheduled any more; frees the processor if closed. */
    private void finish() {
        scheduled = false;
        if (closed && !running && !processorClosed) {
            processorClosed = true;
            processor.close();
        }
        lock.notifyAll();
    }

    private void derive(Frame source, long since) {
        ByteBuf jpeg;
        try {
            jpeg = processor.process(source.content(), source.width(), source.height(), source.live(),
                    source.wallClockMicros(), alloc);
        } catch (SourceException | RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            if (framesFailed.getAndIncrement() == 0) {
                log.warn("{}: a frame could not be derived ({}); skipping such frames", name, e.getMessage());
            } else {
                log.debug("{}: a frame could not be derived", name, e);
            }
            return;
        }
        synchronized (lock) {
            if (closed) {
                jpeg.release();
                return;
            }
        }
        int bytes = jpeg.readableBytes();
        framesOut.incrementAndGet();
        // Ownership of jpeg moves to the frame, then to the target ring.
        target.publish(new Frame(nextSequence++, source.monotonicNanos(), source.wallClockMicros(),
                processor.lastWidth(), processor.lastHeight(), jpeg, source.live()));
        observer.derived(System.nanoTime() - since, processor.lastNanos(), bytes);
    }

    /** Source frames seen. */
    public long framesIn() {
        return framesIn.get();
    }

    /** Derived frames published. */
    public long framesOut() {
        return framesOut.get();
    }

    /** Source frames replaced by a newer one before their turn. */
    public long framesDropped() {
        return framesDropped.get();
    }

    /** Source frames that could not be derived. */
    public long framesFailed() {
        return framesFailed.get();
    }

    /** The size of what it derives from a frame of {@code input}'s size. */
    public VideoSize outputSize(VideoSize input) {
        return transform.outputSize(input);
    }

    public Transform transform() {
        return transform;
    }

    /**
     * Stops: releases the frame waiting, and waits (up to two seconds) for the one in progress, which is then not
     * published; a task still queued on the workers does nothing. Detach it from its source ring first. Idempotent.
     */
    @Override
    public void close() {
        Frame left;
        synchronized (lock) {
            closed = true;
            left = waiting;
            waiting = null;
        }
        if (left != null) {
            left.release();
        }
        synchronized (lock) {
            Waiting.whileBusy(lock, () -> running, Waiting.CLOSE_WAIT_NANOS);
            if (!running && !processorClosed) {
                processorClosed = true;
                processor.close();
            }
        }
    }

    @Override
    public String toString() {
        return "derived " + name + " " + transform;
    }
}
