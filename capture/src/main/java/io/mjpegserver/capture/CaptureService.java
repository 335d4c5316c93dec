package io.mjpegserver.capture;

import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.source.FrameSources;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one source into a frame ring, and keeps the feed alive when the source is not.
 *
 * <p>Threads. Two per service, both daemons, both named after the source:
 * <ul>
 * <li>{@code capture-NAME} owns the source: it alone opens, grabs, closes. It grabs, stamps and publishes
 *     live frames, paced at the source's rate; after a loss it closes the source and reopens it with backoff
 *     (250 ms doubling to 5 s).</li>
 * <li>{@code capture-watchdog-NAME} ({@link CaptureWatchdog}) declares a grab that has not returned within
 *     max(3 frame periods, 2 s) lost, and publishes a NO SIGNAL frame about once a second while the source is
 *     down. So NO SIGNAL frames flow even while the capture thread is stuck in a read that never returns.</li>
 * </ul>
 * The ring has one publisher at a time ({@link RingPublisher}): the capture thread while the source is up, the
 * watchdog while it is down. A hung grab's frame, should it ever come, is dropped; the capture thread then
 * reopens the source as after any loss. The source is never touched from the watchdog (closing an FFmpeg
 * grabber under a read would free memory the read uses): the watchdog only interrupts the capture thread,
 * which ends a read that listens to interrupts.
 *
 * <p>Failures. Whatever is thrown on the capture thread is a source loss, never the end of capture: a
 * {@link SourceException} from the source (its message, for users, becomes {@code lastError}), a
 * {@link RuntimeException} from the source, from a ring listener or from the observer (a bug of ours: counted
 * as an internal error, logged with its stack trace, {@code lastError} says so in words). Each loss is counted
 * once, sets the feed offline and is told to {@link CaptureObserver#sourceFailed} once. An {@link Error} on
 * either thread goes to the {@link FatalErrorHandler}: a thread that met one cannot be trusted.
 */
public final class CaptureService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long STALE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int FPS_WINDOW = 16;

    private final FrameSource source;
    private final String description;
    private final ByteBufAllocator alloc;
    private final CaptureObserver observer;
    private final FatalErrorHandler fatal;
    private final RingPublisher publisher;
    private final CaptureWatchdog watchdog;
    private final Thread thread;
    private final Thread watchdogThread;
    private volatile boolean running = true;
    /** The grab under way, for the watchdog; {@code null} between grabs. */
    private volatile CaptureWatchdog.Grab grab;

    // Capture thread only.
    private final long[] frameTimes = new long[FPS_WINDOW];
    private long backoffNanos = MIN_BACKOFF_NANOS;

    // Written by the capture thread, read by anyone.
    private volatile int width;
    private volatile int height;
    private volatile long framesCaptured;
    private volatile long lastFrameNanos;
    private volatile double windowFps;
    private volatile long lastGrabNanos;
    private volatile long lastEncodeNanos;
    private volatile long reopens;

    private CaptureService(FrameSource source, String description, int quality, FrameRing ring, ByteBufAllocator alloc,
            CaptureObserver observer, FatalErrorHandler fatal) {
        this.source = source;
        this.description = description;
        this.alloc = alloc;
        this.observer = observer;
        this.fatal = fatal;
        this.publisher = new RingPublisher(ring);
        this.width = source.width();
        this.height = source.height();
        String name = description.replaceAll("[^A-Za-z0-9._-]+", "-");
        this.thread = new Thread(this::capture, "capture-" + name);
        this.thread.setDaemon(true);
        this.watchdog = new CaptureWatchdog(new WatchedFeed(), publisher, description, quality, alloc,
                source.nominalFps(), fatal);
        this.watchdogThread = new Thread(watchdog, "capture-watchdog-" + name);
        this.watchdogThread.setDaemon(true);
    }

    /**
     * Opens the source {@code config} names and starts capturing into {@code ring}.
     *
     * @param fatal told of an {@link Error} on the capture threads; {@link FatalErrorHandler#HALT} in production
     * @throws SourceException when the source cannot be opened; the message names it and the fix
     */
    public static CaptureService start(CaptureConfig config, FrameRing ring, ByteBufAllocator alloc, FatalErrorHandler fatal)
            throws SourceException {
        return start(FrameSources.create(config), config.source().describe(), config.quality(), ring, alloc,
                CaptureObserver.NONE, fatal);
    }

    /**
     * Opens {@code source} (failing fast if it cannot) and starts the capture thread and its watchdog. The
     * service owns the source from here on and closes it. Frame buffers come from {@code alloc}; NO SIGNAL
     * frames are encoded at {@code quality}.
     *
     * @param fatal told of an {@link Error} on the capture thread or the watchdog; {@link FatalErrorHandler#HALT}
     *              in production, a recording one in tests
     */
    public static CaptureService start(FrameSource source, String description, int quality, FrameRing ring,
            ByteBufAllocator alloc, CaptureObserver observer, FatalErrorHandler fatal) throws SourceException {
        try {
            source.open();
        } catch (SourceException | RuntimeException e) {
            source.close();
            throw e;
        }
        CaptureService service = new CaptureService(source, description, quality, ring, alloc, observer, fatal);
        service.thread.start();
        service.watchdogThread.start();
        return service;
    }

    private void capture() {
        try {
            long deadline = System.nanoTime();
            while (running) {
                if (captureOne()) {
                    deadline = pace(deadline, source.pacingFps());
                } else if (running) {
                    recover();
                    deadline = System.nanoTime();
                }
            }
        } catch (Error e) {
            fatal.fatal(Thread.currentThread().getName(), e);
        } finally {
            grab = null;
            closeSource();
        }
    }

    /**
     * Grabs and publishes one frame: whether the source is still up. Anything thrown but an {@link Error} is
     * a loss; an Error wrapped in an exception is thrown as the Error it is.
     */
    private boolean captureOne() {
        Thread.interrupted(); // A watchdog's interrupt meant for an earlier grab.
        long generation = publisher.generation();
        long started = System.nanoTime();
        grab = new CaptureWatchdog.Grab(started, generation);
        ByteBuf jpeg;
        try {
            jpeg = source.grab(alloc);
        } catch (SourceException e) {
            rethrowError(e);
            lost(generation, RingPublisher.Loss.SOURCE, e.getMessage(), null);
            return false;
        } catch (RuntimeException e) {
            rethrowError(e);
            lost(generation, RingPublisher.Loss.INTERNAL,
                    "internal error while reading the source (" + e.getClass().getSimpleName() + "): see the log", e);
            return false;
        } finally {
            grab = null;
        }
        try {
            return deliver(generation, jpeg, started);
        } catch (RuntimeException e) {
            rethrowError(e);
            lost(generation, RingPublisher.Loss.INTERNAL,
                    "internal error while publishing a frame (" + e.getClass().getSimpleName() + "): see the log", e);
            return false;
        }
    }

    /** Publishes {@code jpeg} (ownership passes on) and updates the figures; false when the grab came too late. */
    private boolean deliver(long generation, ByteBuf jpeg, long started) {
        int bytes = jpeg.readableBytes();
        long encode = source.lastEncodeNanos();
        long now = System.nanoTime();
        RingPublisher.Outcome outcome = publisher.publishLive(generation, jpeg, now, width, height);
        if (outcome == RingPublisher.Outcome.STALE) {
            return false;
        }
        if (outcome == RingPublisher.Outcome.BACK) {
            log.info("source {} is back", description);
        }
        lastGrabNanos = now - started;
        lastEncodeNanos = encode;
        backoffNanos = MIN_BACKOFF_NANOS;
        long count = ++framesCaptured;
        lastFrameNanos = now;
        frameTimes[(int) (count % FPS_WINDOW)] = now;
        if (count >= FPS_WINDOW) {
            long oldest = frameTimes[(int) ((count + 1) % FPS_WINDOW)];
            windowFps = (FPS_WINDOW - 1) * 1e9 / Math.max(1, now - oldest);
        }
        observer.captured(lastGrabNanos, encode, bytes);
        return true;
    }

    private static void rethrowError(Throwable e) {
        Error error = FatalErrorHandler.errorIn(e);
        if (error != null) {
            throw error;
        }
    }

    /** Declares the loss of {@code generation} (unless the watchdog already has), logs it and tells the observer once. */
    private void lost(long generation, RingPublisher.Loss loss, String reason, RuntimeException bug) {
        // Only the capture thread sets it online: read before the loss, this says whether the feed was up.
        boolean wasOnline = publisher.online();
        if (!publisher.lose(generation, loss, reason, true)) {
            return;
        }
        if (bug != null) {
            log.warn("source {} lost: {}", description, reason, bug);
        } else if (wasOnline) {
            log.warn("source {} failed: {}", description, reason);
        } else {
            // Failing again right after a reopen: one WARN per outage is enough.
            log.debug("source {} failed again: {}", description, reason);
        }
        watchdog.wake();
        tellFailed(reason);
    }

    /** The observer is ours too: what it throws is counted and logged, and must not become a loss of its own. */
    private void tellFailed(String reason) {
        try {
            observer.sourceFailed(reason);
        } catch (RuntimeException e) {
            rethrowError(e);
            publisher.internalError();
            log.warn("internal error in a source-loss listener of {}", description, e);
        }
    }

    /** Sleeps until the next frame is due; a source that fell behind by more than a frame does not burst. */
    private long pace(long deadline, double fps) {
        if (fps <= 0) {
            return System.nanoTime();
        }
        long period = (long) (1e9 / fps);
        long next = deadline + period;
        long now = System.nanoTime();
        if (next < now - period) {
            return now;
        }
        parkUntil(next);
        return next;
    }

    private void parkUntil(long nanoTime) {
        while (running && nanoTime - System.nanoTime() > 0) {
            LockSupport.parkNanos(this, nanoTime - System.nanoTime());
            Thread.interrupted(); // An interrupt must not turn this wait into a spin.
        }
    }

    /** Closes the source and reopens it with backoff doubling to five seconds, until it opens or the service stops. */
    private void recover() {
        closeSource();
        while (running) {
            parkUntil(System.nanoTime() + backoffNanos);
            if (!running) {
                return;
            }
            try {
                source.open();
            } catch (SourceException | RuntimeException e) {
                rethrowError(e);
                publisher.reason(e instanceof SourceException ? e.getMessage()
                        : "internal error while reopening the source (" + e.getClass().getSimpleName() + "): see the log");
                if (e instanceof RuntimeException) {
                    publisher.internalError();
                    log.warn("source {}: internal error while reopening it", description, e);
                }
                closeSource();
                backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
                continue;
            }
            width = source.width();
            height = source.height();
            reopens++;
            log.info("source {} reopened", description);
            try {
                observer.sourceReopened();
            } catch (RuntimeException e) {
                rethrowError(e);
                publisher.internalError();
                log.warn("internal error in a reopen listener of {}", description, e);
            }
            return;
        }
    }

    private void closeSource() {
        try {
            source.close();
        } catch (RuntimeException e) {
            rethrowError(e);
            publisher.internalError();
            log.warn("source {}: internal error while closing it", description, e);
        }
    }

    /** The service as its watchdog sees it. */
    private final class WatchedFeed implements CaptureWatchdog.Feed {
        @Override
        public CaptureWatchdog.Grab grab() {
            return grab;
        }

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public void hung(String reason) {
            thread.interrupt();
            tellFailed(reason);
        }
    }

    public CaptureStats stats() {
        long last = lastFrameNanos;
        long since = framesCaptured == 0 ? -1 : System.nanoTime() - last;
        double fps = since < 0 || since > STALE_NANOS ? 0 : windowFps;
        return new CaptureStats(publisher.online(), framesCaptured, publisher.noSignalFrames(), fps, lastGrabNanos,
                lastEncodeNanos, since, reopens, publisher.lastError(), publisher.failures(), publisher.hangs(),
                publisher.internalErrors());
    }

    /** The width of the frames this source produces. */
    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The rate the capture thread paces at, or 0 for a source that paces itself. */
    public double pacingFps() {
        return source.pacingFps();
    }

    /** Whether the source's own JPEGs are sent, with no encode; see {@link FrameSource#passesThrough()}. */
    public boolean passesThrough() {
        return source.passesThrough();
    }

    /**
     * Stops both threads (waiting up to a second each) and, through the capture thread, closes the source. A
     * capture thread stuck in a hung read is left behind (a daemon): it closes the source if the read ever
     * returns, and publishes nothing more.
     */
    @Override
    public void close() {
        running = false;
        publisher.close();
        LockSupport.unpark(thread);
        watchdog.wake();
        join(thread);
        join(watchdogThread);
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("thread {} still busy after 1 s; it will stop after its current step", t.getName());
        }
    }
}
