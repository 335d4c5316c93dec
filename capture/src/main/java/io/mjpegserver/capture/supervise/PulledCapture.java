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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.locks.LockSupport;
import java.util.Map;

/**
 * A pulled source on its capture thread, {@code capture-NAME}, which alone opens, grabs and closes it, and runs only
 * while the source is wanted. Frames that need more than one encoder ({@link CaptureOptions#workersFor}) go through
 * a {@link PooledCapture}. A failed open or grab is a loss; an {@link Error} ends the thread and goes to the
 * {@link FatalErrorHandler}.
 */
final class PulledCapture extends AbstractCapture {

    private final FrameSource source;
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
    /** The open source's size; a source's size does not change while it is open. */
    private VideoSize size;

    PulledCapture(FrameSource source, Supervisor supervisor, ByteBufAllocator alloc, CaptureOptions options) {
        super(supervisor);
        this.source = source;
        this.alloc = alloc;
        this.options = options;
        this.threadName = "capture-" + Supervisor.threadName(supervisor.description());
    }

    @Override
    void openNow() throws SourceException {
        try {
            source.open();
        } catch (SourceException | RuntimeException e) {
            source.close();
            throw e;
        }
        opened();
    }

    /** Learns the size (the source's own, or what its frames showed before) and decides on the encoder pool. */
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

    /** Unparks the capture thread, or starts one if the source is wanted and there is none. */
    @Override
    synchronized void wake() {
        if (thread != null) {
            LockSupport.unpark(thread);
        } else if (supervisor.running() && supervisor.demand().wanted(System.nanoTime())) {
            thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Also interrupts whatever read or open the thread is in (which ends an RTSP open or read at once). */
    @Override
    synchronized void stop() {
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.interrupt();
        }
    }

    /** Joins the capture thread, if any; one stuck in a read no interrupt ends is left behind, a daemon. */
    @Override
    void awaitStopped(long deadlineNanos) {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            Supervisor.join(t, deadlineNanos);
        }
    }

    /**
     * Whether the idle feed's thread ends now, no client having come meanwhile; if so it gives up its place as the
     * capture thread, and the next client starts a new one. After the service closed, the loop's end closes the rest.
     */
    private synchronized boolean ending() {
        if (!supervisor.running() || supervisor.demand().wanted(System.nanoTime())) {
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

    /** Each turn: not wanted, go idle; closed, wait out the backoff and open; grab one frame; wait for the next. */
    private void run() {
        boolean idle = false;
        try {
            long deadline = System.nanoTime();
            while (supervisor.running()) {
                long now = System.nanoTime();
                Demand demand = supervisor.demand();
                if (!demand.wanted(now)) {
                    if (goIdle()) {
                        closePool();
                    }
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
                    retryLater();
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
            supervisor.failed(generation, openFailure(e, "reopening the source"));
            supervisor.closeQuietly(source);
            retryLater();
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
     * Grabs one frame and hands it to the {@link FrameStage}, which publishes it: whether the source is still up.
     * The watchdog sees the grab under way through {@link #grab()}.
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
        return supervisor.deliver(generation, jpeg, source.passesThrough(), size, System.nanoTime() - started,
                source.lastEncodeNanos());
    }

    /** The rate of grabs; valid once opened (read from any thread: the source's own figure). */
    @Override
    double pacingFps() {
        return source.pacingFps();
    }

    @Override
    boolean passesThrough() {
        return source.passesThrough();
    }

    @Override
    Map<String, Integer> controls() {
        return source.controls();
    }

    @Override
    void closeSource() {
        if (pooled != null) {
            pooled.drain();
        }
        supervisor.closeQuietly(source);
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
    public double nominalFps() {
        return source.nominalFps();
    }

    /**
     * Interrupts the capture thread, which ends a read that listens to interrupts (as FFmpeg's network reads do);
     * the source is never closed under a read (closing an FFmpeg grabber would free memory the read uses), and the
     * hung grab's frame, should it come, is stale.
     */
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
