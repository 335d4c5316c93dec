package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.PooledSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.pace.Demand;
import io.mjpegserver.capture.pace.Pacer;
import io.mjpegserver.capture.publish.FrameStage;
import io.mjpegserver.capture.publish.RingPublisher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.locks.LockSupport;

/**
 * A pulled source on its capture thread, {@code capture-NAME} (a daemon): the one thread that opens, grabs and
 * closes the source. The thread runs only while the source is wanted: an on-demand feed's ends when it goes idle,
 * and the next client starts a new one, so an idle feed holds no thread (nor encoder workers). Each turn of its
 * loop, top to bottom:
 * <ol>
 * <li>not wanted (an on-demand feed {@code idleGrace} after its last client): close the source, go idle, and end
 *     the thread unless a client came meanwhile;</li>
 * <li>closed: wait out the backoff, then open it (a failure is a loss, and the backoff doubles);</li>
 * <li>grab one frame and hand it to the {@link FrameStage}, which publishes it; a failure is a loss, and the
 *     source is closed;</li>
 * <li>wait until the next frame is due ({@link Pacer}).</li>
 * </ol>
 * The watchdog sees the grab under way through {@link #grab()}; when it declares a grab hung it interrupts this
 * thread (which ends a read that listens to interrupts, as FFmpeg's network reads do) and never touches the source
 * (closing an FFmpeg grabber under a read would free memory the read uses). A hung grab's frame, should it ever come, is stale: dropped.
 *
 * <p>A {@link PooledSource} whose frames are large enough for {@link CaptureOptions#workersFor} to say more than one
 * worker is encoded by a {@link PooledCapture}: this thread grabs images and waits for a free worker (still "in
 * the grab" for the watchdog, so a stuck encoder is a hang), the workers encode and publish in grab order.
 *
 * <p>Failures: a {@link SourceException} (its message becomes {@code lastError}) or a {@link RuntimeException}
 * (our bug, or a source's: counted as an internal error) is a loss, never the end of capture. An {@link Error}
 * ends the thread and goes to the {@link FatalErrorHandler}.
 */
final class PulledCapture implements CaptureWatchdog.Feed {

    private final FrameSource source;
    private final Supervisor supervisor;
    private final ByteBufAllocator alloc;
    private final CaptureOptions options;
    private final String threadName;
    /** The capture thread while there is one; a new one is started when the source is wanted and there is none. */
    private Thread thread; // guarded by this
    /** The encoder pool, once the first open has told the size and it takes more than one worker; else null. */
    private PooledCapture pooled;
    private boolean poolDecided;
    /** The grab under way, for the watchdog; {@code null} between grabs. */
    private volatile CaptureWatchdog.Grab grab;
    /** Capture thread only (and the starter, before the thread starts). */
    private boolean open;
    private boolean afterLoss;
    /** The open source's size; a source's size does not change while it is open. */
    private VideoSize size;
    private long nextOpenNanos;

    PulledCapture(FrameSource source, Supervisor supervisor, ByteBufAllocator alloc, CaptureOptions options) {
        this.source = source;
        this.supervisor = supervisor;
        this.alloc = alloc;
        this.options = options;
        this.threadName = "capture-" + Supervisor.threadName(supervisor.description());
    }

    /** Opens the source on the caller's thread, failing fast; closes it again on failure. */
    void openNow() throws SourceException {
        try {
            source.open();
        } catch (SourceException | RuntimeException e) {
            source.close();
            throw e;
        }
        opened();
    }

    private void opened() {
        open = true;
        VideoSize own = Supervisor.sizeOr(source.width(), source.height(), null);
        size = own != null ? own : supervisor.stage().size();
        if (own != null) {
            supervisor.stage().size(own);
        }
        if (!poolDecided) {
            poolDecided = true;
            int workers = options.workersFor(size, Runtime.getRuntime().availableProcessors());
            if (source instanceof PooledSource images && workers > 1) {
                pooled = new PooledCapture(images, workers, supervisor, alloc);
            }
        }
    }

    /** The threads that encode: the pool's workers, or 1 (this thread) without a pool. */
    int workers() {
        return pooled != null ? pooled.workers() : 1;
    }

    /** Starts the capture thread if the source is wanted now (always, unless on demand). */
    void start() {
        wake();
    }

    /** Clients came or went, or the service closes: the thread re-reads its state, or one starts if needed. */
    synchronized void wake() {
        if (thread != null) {
            LockSupport.unpark(thread);
        } else if (supervisor.running() && supervisor.demand().wanted(System.nanoTime())) {
            thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The service closes: wakes the thread, and interrupts whatever read or open it is in. */
    synchronized void stop() {
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.interrupt();
        }
    }

    /** The capture thread, or {@code null} while there is none (an idle on-demand feed). */
    synchronized Thread thread() {
        return thread;
    }

    /**
     * Whether the idle feed's thread ends now, with no client come meanwhile; if so it is no longer the capture
     * thread, and a client that comes next starts a new one. The source is closed already.
     */
    private synchronized boolean ending() {
        if (supervisor.running() && supervisor.demand().wanted(System.nanoTime())) {
            return false;
        }
        if (!supervisor.running()) {
            // The service closed: the loop's end closes the rest, on this thread.
            return false;
        }
        thread = null;
        return true;
    }

    private synchronized void ended() {
        if (thread == Thread.currentThread()) {
            thread = null;
        }
    }

    private void run() {
        boolean idle = false;
        try {
            long deadline = System.nanoTime();
            while (supervisor.running()) {
                long now = System.nanoTime();
                Demand demand = supervisor.demand();
                if (!demand.wanted(now)) {
                    goIdle();
                    if (ending()) {
                        idle = true;
                        return;
                    }
                    continue;
                }
                if (!open) {
                    if (nextOpenNanos - now > 0) {
                        // Until the backoff is over, or the grace after the last client; sooner if clients come or go.
                        long idleAt = demand.idleAtNanos();
                        Pacer.parkUntil(Math.min(nextOpenNanos, idleAt),
                                () -> supervisor.running() && demand.idleAtNanos() == idleAt);
                        continue;
                    }
                    if (!reopen()) {
                        continue;
                    }
                    deadline = System.nanoTime();
                }
                if (captureOne()) {
                    deadline = Pacer.next(deadline, source.pacingFps(), supervisor::running);
                } else if (supervisor.running()) {
                    close();
                    afterLoss = true;
                    nextOpenNanos = System.nanoTime() + supervisor.backoff().next();
                }
            }
        } catch (Error e) {
            supervisor.fatal().fatal(Thread.currentThread().getName(), e);
        } finally {
            if (!idle) {
                // The service closed (or an Error): no thread comes after this one.
                grab = null;
                close();
                closePool();
                ended();
            }
        }
    }

    /** The encoder workers go with the source's thread; the next open decides again. */
    private void closePool() {
        if (pooled != null) {
            pooled.close();
            pooled = null;
        }
        poolDecided = false;
    }

    private void goIdle() {
        if (!supervisor.publisher().isIdle()) {
            // Idle first: nothing the source still delivers while it closes is published.
            supervisor.publisher().idle();
            close();
            closePool();
            supervisor.backoff().reset();
            nextOpenNanos = System.nanoTime();
        }
    }

    /** Opens the source after a loss, or when idle; whether it opened (if not, it is a loss and the backoff grows). */
    private boolean reopen() {
        boolean woke = supervisor.publisher().isIdle();
        supervisor.publisher().wake();
        long generation = supervisor.publisher().generation();
        // A watchdog's interrupt meant for an earlier grab must not end this open; the service's own, after this
        // check, does.
        Thread.interrupted();
        if (!supervisor.running()) {
            return false;
        }
        try {
            source.open();
        } catch (SourceException | RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            String reason = e instanceof SourceException ? e.getMessage()
                    : Supervisor.internalWords("reopening the source", (RuntimeException) e);
            if (e instanceof RuntimeException bug) {
                supervisor.internalError("reopening the source", bug);
            }
            if (supervisor.publisher().online()) {
                // Opening an idle source: that is the loss.
                supervisor.lost(generation, RingPublisher.Loss.SOURCE, reason, null);
            } else {
                supervisor.stillDown(reason);
            }
            supervisor.closeQuietly(source);
            afterLoss = true;
            nextOpenNanos = System.nanoTime() + supervisor.backoff().next();
            return false;
        }
        opened();
        if (afterLoss && !woke) {
            supervisor.reopened();
        }
        afterLoss = false;
        return true;
    }

    /**
     * Grabs one frame and hands it on: whether the source is still up. Anything thrown but an {@link Error} is a
     * loss; an Error wrapped in an exception is thrown as the Error it is.
     */
    private boolean captureOne() {
        Thread.interrupted(); // A watchdog's interrupt meant for an earlier grab.
        if (pooled != null && pooled.takeBroken()) {
            return false;
        }
        long generation = supervisor.publisher().generation();
        long started = System.nanoTime();
        grab = new CaptureWatchdog.Grab(started, generation);
        if (pooled != null) {
            try {
                return pooled.capture(generation, started, size);
            } finally {
                grab = null;
            }
        }
        ByteBuf jpeg;
        try {
            jpeg = source.grab(alloc);
        } catch (SourceException | RuntimeException e) {
            supervisor.readFailed(generation, e);
            return false;
        } finally {
            grab = null;
        }
        try {
            FrameStage.Outcome outcome = supervisor.stage().deliver(generation, jpeg, source.passesThrough(),
                    size, System.nanoTime() - started, source.lastEncodeNanos());
            return outcome != FrameStage.Outcome.STALE;
        } catch (RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            supervisor.lost(generation, RingPublisher.Loss.INTERNAL, Supervisor.internalWords("publishing a frame", e), e);
            return false;
        }
    }

    /** The rate of grabs; valid once opened (read from any thread: the source's own figure). */
    double pacingFps() {
        return source.pacingFps();
    }

    boolean passesThrough() {
        return source.passesThrough();
    }

    private void close() {
        if (open) {
            open = false;
            if (pooled != null) {
                pooled.drain();
            }
            supervisor.closeQuietly(source);
        }
    }

    // The watchdog's view.

    @Override
    public CaptureWatchdog.Grab grab() {
        return grab;
    }

    @Override
    public String hangWords() {
        return "its read hangs";
    }

    @Override
    public void silentWhileDown(CaptureWatchdog.Grab grab, String reason) {
        // Interrupted once already: nothing more to do.
    }

    @Override
    public boolean running() {
        return supervisor.running();
    }

    @Override
    public int width() {
        return supervisor.stage().size().width();
    }

    @Override
    public int height() {
        return supervisor.stage().size().height();
    }

    @Override
    public double nominalFps() {
        return source.nominalFps();
    }

    @Override
    public void hung(String reason) {
        synchronized (this) {
            if (thread != null) {
                thread.interrupt();
            }
        }
        supervisor.tellFailed(reason);
    }
}
