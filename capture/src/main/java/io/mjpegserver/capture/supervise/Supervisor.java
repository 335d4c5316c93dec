package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.jpeg.JpegCheck;
import io.mjpegserver.capture.pace.Backoff;
import io.mjpegserver.capture.pace.Demand;
import io.mjpegserver.capture.publish.CaptureFigures;
import io.mjpegserver.capture.publish.FrameStage;
import io.mjpegserver.capture.publish.RingPublisher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a feed's capture holds whichever its kind: the ring's publisher, the frame stage, the figures, the backoff,
 * the demand of clients and the watchdog. The source's threads report to it: frames through {@link #deliver} or
 * {@link #stage()}, losses through {@link #lost} and {@link #failed}. Thread-safe.
 */
final class Supervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final String description;
    private final int quality;
    private final ByteBufAllocator alloc;
    private final CaptureObserver observer;
    private final FatalErrorHandler fatal;
    private final RingPublisher publisher;
    private final CaptureFigures figures = new CaptureFigures();
    private final Backoff backoff;
    private final FrameStage stage;
    private final Demand demand;
    private final boolean noSignalFrames;
    private final SupervisorThreads threads;
    private volatile AbstractCapture capture;
    private volatile CaptureWatchdog watchdog;
    private volatile boolean running = true;

    /**
     * @param size    what NO SIGNAL frames are drawn at until a frame says otherwise
     * @param backoff the schedule of reopens after a loss
     */
    Supervisor(String description, int quality, CaptureOptions options, FrameRing ring, ByteBufAllocator alloc,
            CaptureObserver observer, FatalErrorHandler fatal, VideoSize size, SupervisorThreads threads,
            Backoff backoff) {
        this.backoff = backoff;
        this.description = description;
        this.threads = threads;
        this.quality = quality;
        this.alloc = alloc;
        this.observer = observer;
        this.fatal = fatal;
        this.publisher = new RingPublisher(ring);
        this.stage = new FrameStage(publisher, figures, backoff, JpegCheck.standard(), options.dropSameFrames(), alloc,
                observer, size);
        this.demand = new Demand(options.onDemand(), options.idleGrace(), () -> {
            AbstractCapture c = capture;
            if (c != null) {
                c.wake();
            }
            CaptureWatchdog resting = watchdog;
            if (resting != null) {
                resting.wake();
            }
        });
        this.noSignalFrames = options.noSignalFrames();
        if (options.onDemand()) {
            publisher.idle();
        }
    }

    /** Starts {@code capture}, the source's side, woken from here on when clients come or go, and its watchdog. */
    void start(AbstractCapture capture) {
        this.capture = capture;
        watchdog = new CaptureWatchdog(capture, publisher, description, quality, alloc, figures, noSignalFrames, fatal);
        watchdog.start(threads, () -> publisher.isIdle() && !demand.wanted(System.nanoTime()));
        capture.wake();
    }

    SupervisorThreads threads() {
        return threads;
    }

    /** {@code width x height} if it is a valid size (a source not yet open may say 0), else {@code fallback}. */
    static VideoSize sizeOr(int width, int height, VideoSize fallback) {
        try {
            return new VideoSize(width, height);
        } catch (IllegalArgumentException notYetKnown) {
            return fallback;
        }
    }

    static String threadName(String description) {
        return description.replaceAll("[^A-Za-z0-9._-]+", "-");
    }

    boolean running() {
        return running;
    }

    String description() {
        return description;
    }

    FatalErrorHandler fatal() {
        return fatal;
    }

    RingPublisher publisher() {
        return publisher;
    }

    FrameStage stage() {
        return stage;
    }

    Backoff backoff() {
        return backoff;
    }

    Demand demand() {
        return demand;
    }

    /**
     * Declares the loss of {@code generation} (unless it is over already), logs it and tells the observer once;
     * whether this call declared it.
     *
     * @param bug our own exception behind the loss, logged with its stack trace, or {@code null}
     */
    boolean lost(long generation, RingPublisher.Loss loss, String reason, RuntimeException bug) {
        // Only a frame sets it online: read before the loss, this says whether the feed was up.
        boolean wasOnline = publisher.online();
        if (!publisher.lose(generation, loss, reason, true)) {
            return false;
        }
        if (bug != null) {
            log.warn("source {} lost: {}", description, reason, bug);
        } else if (wasOnline) {
            log.warn("source {} failed: {}", description, reason);
        } else {
            // Failing again right after a reopen: one WARN per outage is enough.
            log.debug("source {} failed again: {}", description, reason);
        }
        if (watchdog != null) {
            watchdog.wake();
        }
        tellFailed(reason);
        return true;
    }

    /** The observer is ours too: what it throws is counted and logged, and must not become a loss of its own. */
    void tellFailed(String reason) {
        try {
            observer.sourceFailed(reason);
        } catch (RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            internalError("a source-loss listener", e);
        }
    }

    /** A reopen after a loss worked. */
    void reopened() {
        figures.reopened();
        log.info("source {} reopened", description);
        try {
            observer.sourceReopened();
        } catch (RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            internalError("a reopen listener", e);
        }
    }

    /**
     * The source failed in {@code generation} (an open, or a pushed source's connection): a loss if the feed was up;
     * while it is down, counted once already, its newest reason is shown.
     */
    void failed(long generation, String reason) {
        if (publisher.online()) {
            lost(generation, RingPublisher.Loss.SOURCE, reason, null);
        } else if (generation == publisher.generation()) {
            publisher.reason(reason);
        }
    }

    /**
     * Hands a frame grabbed in {@code generation} to the stage, which publishes it: whether the source is still
     * up. What our code throws is a loss; an Error wrapped in it is thrown as the Error it is.
     */
    boolean deliver(long generation, ByteBuf jpeg, boolean passesThrough, VideoSize size, long grabNanos,
            long encodeNanos) {
        try {
            return stage.deliver(generation, jpeg, passesThrough, size, grabNanos, encodeNanos, 0)
                    != FrameStage.Outcome.STALE;
        } catch (RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            lost(generation, RingPublisher.Loss.INTERNAL, internalWords("publishing a frame", e), e);
            return false;
        }
    }

    /** An exception of ours that did not stop the feed: counted and logged with its stack trace. */
    void internalError(String where, RuntimeException e) {
        publisher.internalError();
        log.warn("source {}: internal error in {}", description, where, e);
    }

    /** Words for users about our own bug {@code e} while doing {@code what}. */
    static String internalWords(String what, RuntimeException e) {
        return "internal error while " + what + " (" + e.getClass().getSimpleName() + "): see the log";
    }

    /**
     * A read of the source that threw: a {@link SourceException} is the source lost, anything else an internal
     * error of ours (also a loss, said so); an {@link Error} in either is thrown on. Capture thread only.
     */
    void readFailed(long generation, Exception e) {
        // Only these two come out of a source's read: its checked failure, and our bugs.
        FatalErrorHandler.rethrowError(e);
        if (e instanceof SourceException) {
            lost(generation, RingPublisher.Loss.SOURCE, e.getMessage(), null);
        } else {
            RuntimeException bug = (RuntimeException) e;
            lost(generation, RingPublisher.Loss.INTERNAL, internalWords("reading the source", bug), bug);
        }
    }

    /** Closes {@code source} (any AutoCloseable of ours); what it throws is an internal error, an Error is thrown on. */
    void closeQuietly(AutoCloseable source) {
        try {
            source.close();
        } catch (RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            internalError("closing the source", e);
        } catch (Exception e) {
            // FrameSource and PushSource close() throw nothing checked.
            throw new IllegalStateException(e);
        }
    }

    CaptureStats stats() {
        long frames = figures.frames();
        long now = System.nanoTime();
        long since = frames == 0 ? -1 : now - figures.lastFrameNanos();
        double fps = figures.fps(now);
        return new CaptureStats(publisher.online(), frames, publisher.noSignalFrames(), fps, figures.lastGrabNanos(),
                figures.lastEncodeNanos(), since, figures.reopens(), publisher.lastError(), publisher.failures(),
                publisher.hangs(), publisher.internalErrors(), publisher.isIdle(), demand.clients(),
                figures.incompleteFrames(), figures.sameFrames(), hangNanos());
    }

    /** The watchdog's hang threshold as of its last tick, or 0 before it has ticked. */
    private long hangNanos() {
        CaptureWatchdog w = watchdog;
        return w == null ? 0 : w.threshold();
    }

    /** No publish after this; the watchdog stops at its next tick, and the stage's frame is dropped. */
    @Override
    public void close() {
        running = false;
        publisher.close();
        if (watchdog != null) {
            watchdog.wake();
        }
        stage.close();
    }

    /** Waits for {@code t} to end until {@code deadlineNanos}; says so when it has not. */
    static void join(Thread t, long deadlineNanos) {
        try {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("thread {} still busy at shutdown; it will stop after its current step", t.getName());
        }
    }
}
