package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.PushSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.publish.RingPublisher;
import io.mjpegserver.capture.source.FrameSources;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Captures one source into a frame ring, and keeps the feed alive when the source is not. Capture knows nothing
 * of the server: it publishes frames to the ring, and the server counts its clients here.
 *
 * <p>Two kinds of source share one {@link Supervisor} (publisher, frame stage, figures, backoff, demand, watchdog):
 * <ul>
 * <li>a pulled {@link FrameSource} (camera, file, test pattern, RTSP) is driven by {@link PulledCapture}: its
 *     capture thread, {@code capture-NAME}, opens, grabs, publishes (paced at the source's rate) and closes; the
 *     thread runs only while the source is wanted (always, unless on demand);</li>
 * <li>a pushed {@link PushSource} (HTTP relay) is driven by {@link PushedCapture}: frames are published on the
 *     source's own threads (a Netty client event loop) as they arrive; its turns on the shared
 *     {@link SupervisorThreads} alone open and close the source, so an event loop never blocks on it.</li>
 * </ul>
 * Both have a watchdog ({@link CaptureWatchdog}), ticking on the shared {@link SupervisorThreads}: it declares a
 * source that delivers nothing for max(3 frame periods, 2 s) lost, and publishes a NO SIGNAL frame about once a
 * second while the source is down. So a feed's own threads are its open pulled source's (and its encoder workers):
 * an idle on-demand feed, or any relayed one, holds none. The ring has one publisher at a time ({@link RingPublisher}): the source's side while
 * it is up, the watchdog while it is down; nobody while an on-demand feed is idle. After a loss the source is
 * closed and reopened with backoff (250 ms doubling to 5 s).
 *
 * <p>On demand ({@link CaptureOptions#onDemand()}): the source is opened at the first {@link #acquire()} and
 * closed {@link CaptureOptions#idleGrace()} after the last {@link #release()}; in between the feed is idle: its
 * threads park, it publishes nothing, and {@link CaptureStats#idle()} says so. The first frame after opening is
 * published as any other.
 *
 * <p>Failures: whatever our code or the source throws is a loss, counted and told to the
 * {@link CaptureObserver} once, never the end of capture. An {@link Error} on any of our threads, or on a
 * source's thread inside a sink call, goes to the {@link FatalErrorHandler}: a thread that met one cannot be
 * trusted.
 */
public final class CaptureService implements AutoCloseable {

    private final Supervisor supervisor;
    private final FrameRing ring;
    private final NextFrames nextFrames = new NextFrames();
    private final PulledCapture pulled;
    private final PushedCapture pushed;
    /** The supervisor threads of this service alone, when it was not given shared ones; closed with it. */
    private final SupervisorThreads ownThreads;
    private long stopDeadlineNanos; // guarded by this
    private boolean stopping; // guarded by this
    private boolean closed; // guarded by this

    private CaptureService(Supervisor supervisor, FrameRing ring, PulledCapture pulled, PushedCapture pushed,
            SupervisorThreads ownThreads) {
        this.supervisor = supervisor;
        this.ring = ring;
        this.pulled = pulled;
        this.pushed = pushed;
        this.ownThreads = ownThreads;
        ring.addListener(nextFrames);
    }

    /**
     * Opens the source {@code config} names and starts capturing into {@code ring}, always on.
     *
     * @param fatal told of an {@link Error} on the capture threads; {@link FatalErrorHandler#HALT} in production
     * @throws SourceException when the source cannot be opened; the message names it and the fix
     */
    public static CaptureService start(CaptureConfig config, FrameRing ring, ByteBufAllocator alloc, FatalErrorHandler fatal)
            throws SourceException {
        return start(FrameSources.create(config), config.source().describe(), config.quality(), ring, alloc,
                CaptureObserver.NONE, fatal);
    }

    /** As {@link #start(FrameSource, String, int, CaptureOptions, FrameRing, ByteBufAllocator, CaptureObserver,
     * FatalErrorHandler)} with {@link CaptureOptions#DEFAULTS}: always on. */
    public static CaptureService start(FrameSource source, String description, int quality, FrameRing ring,
            ByteBufAllocator alloc, CaptureObserver observer, FatalErrorHandler fatal) throws SourceException {
        return start(source, description, quality, CaptureOptions.DEFAULTS, ring, alloc, observer, fatal);
    }

    /**
     * Starts capturing a pulled {@code source} (camera, file, test pattern, RTSP) into {@code ring}. It is
     * opened at once, failing fast, unless {@code options.onDemand()} (then at the first {@link #acquire()}) or it
     * is {@linkplain FrameSource#remote() remote} (then on the capture thread); opened so, a failure to open is a
     * loss like any other. The service owns the source from here on and closes it. Frame
     * buffers come from {@code alloc}; NO SIGNAL frames are encoded at {@code quality}.
     *
     * @param fatal told of an {@link Error} on the capture thread or the watchdog; {@link FatalErrorHandler#HALT}
     *              in production, a recording one in tests
     * @throws SourceException when the source cannot be opened; the message names it and the fix
     */
    public static CaptureService start(FrameSource source, String description, int quality, CaptureOptions options,
            FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer, FatalErrorHandler fatal)
            throws SourceException {
        SupervisorThreads own = new SupervisorThreads(1);
        try {
            return start(source, description, quality, options, ring, alloc, observer, fatal, own, own);
        } catch (SourceException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /**
     * As {@link #start(FrameSource, String, int, CaptureOptions, FrameRing, ByteBufAllocator, CaptureObserver,
     * FatalErrorHandler)}, its watchdog ticking on the shared {@code threads} (which the caller closes, after this).
     */
    public static CaptureService start(FrameSource source, String description, int quality, CaptureOptions options,
            FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer, FatalErrorHandler fatal,
            SupervisorThreads threads) throws SourceException {
        return start(source, description, quality, options, ring, alloc, observer, fatal, threads, null);
    }

    private static CaptureService start(FrameSource source, String description, int quality, CaptureOptions options,
            FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer, FatalErrorHandler fatal,
            SupervisorThreads threads, SupervisorThreads own) throws SourceException {
        PulledCapture[] driver = new PulledCapture[1];
        Supervisor supervisor = new Supervisor(description, quality, options, ring, alloc, observer, fatal,
                Supervisor.sizeOr(source.width(), source.height(), CaptureConfig.DEFAULT_SIZE), threads,
                () -> driver[0].wake());
        driver[0] = new PulledCapture(source, supervisor, alloc, options);
        if (!options.onDemand() && !source.remote()) {
            driver[0].openNow();
        }
        CaptureService service = new CaptureService(supervisor, ring, driver[0], null, own);
        supervisor.startWatchdog(driver[0]);
        driver[0].start();
        return service;
    }

    /**
     * Starts capturing a pushed {@code source} (an HTTP relay) into {@code ring}. It never fails for the network:
     * an unreachable upstream is a loss like any other (offline, NO SIGNAL frames at {@code fallbackSize} until a
     * first frame tells the real size, reopened with backoff). Opened at once unless {@code options.onDemand()}.
     *
     * @throws SourceException only for what no retry can fix (a malformed address), when opened at once
     */
    public static CaptureService start(PushSource source, String description, int quality, VideoSize fallbackSize,
            CaptureOptions options, FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer,
            FatalErrorHandler fatal) throws SourceException {
        SupervisorThreads own = new SupervisorThreads(1);
        try {
            return start(source, description, quality, fallbackSize, options, ring, alloc, observer, fatal, own, own);
        } catch (SourceException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /**
     * As {@link #start(PushSource, String, int, VideoSize, CaptureOptions, FrameRing, ByteBufAllocator,
     * CaptureObserver, FatalErrorHandler)}, opened, closed and watched on the shared {@code threads} (which the
     * caller closes, after this).
     */
    public static CaptureService start(PushSource source, String description, int quality, VideoSize fallbackSize,
            CaptureOptions options, FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer,
            FatalErrorHandler fatal, SupervisorThreads threads) throws SourceException {
        return start(source, description, quality, fallbackSize, options, ring, alloc, observer, fatal, threads, null);
    }

    private static CaptureService start(PushSource source, String description, int quality, VideoSize fallbackSize,
            CaptureOptions options, FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer,
            FatalErrorHandler fatal, SupervisorThreads threads, SupervisorThreads own) throws SourceException {
        PushedCapture[] driver = new PushedCapture[1];
        Supervisor supervisor = new Supervisor(description, quality, options, ring, alloc, observer, fatal, fallbackSize,
                threads, () -> driver[0].wake());
        driver[0] = new PushedCapture(source, supervisor);
        if (!options.onDemand()) {
            driver[0].openNow();
        }
        CaptureService service = new CaptureService(supervisor, ring, null, driver[0], own);
        supervisor.startWatchdog(driver[0]);
        driver[0].start();
        return service;
    }

    /**
     * A client came (a stream, or a snapshot): counted, and an idle on-demand source is opened. Never blocks:
     * callable on an event loop. Pair each with one {@link #release()}.
     */
    public void acquire() {
        supervisor.demand().acquire();
    }

    /** A client left: with {@link CaptureOptions#onDemand()}, the source closes {@code idleGrace} after the last one. */
    public void release() {
        supervisor.demand().release();
    }

    /** Whether the feed is on demand and closed for lack of clients. */
    public boolean idle() {
        return supervisor.publisher().isIdle();
    }

    /**
     * For a snapshot of an idle feed: acquires, and returns a future completed with the next frame published
     * (live, or NO SIGNAL if the source cannot be opened), released again when the future completes in any way.
     * The frame is retained for the caller, who releases it. Bound the wait ({@code orTimeout}) or cancel the
     * future: until then the feed counts a client. Completion runs on the publishing thread: chain with the
     * async methods. Fails when the service is closed.
     */
    public CompletableFuture<Frame> acquireNextFrame() {
        CompletableFuture<Frame> waiting = nextFrames.next();
        acquire();
        CompletableFuture<Frame> answer = new CompletableFuture<>();
        // Released before the caller sees the frame, so the client is gone by the time it has it.
        waiting.whenComplete((frame, failure) -> {
            release();
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else if (!answer.complete(frame)) {
                frame.release();
            }
        });
        // The caller gave up (a timeout, a cancel): stop waiting, which releases.
        answer.whenComplete((frame, failure) -> {
            if (failure != null) {
                waiting.cancel(false);
            }
        });
        return answer;
    }

    public CaptureStats stats() {
        return supervisor.stats();
    }

    /** The width of the frames this source produces (a pushed source's: its last frame's, or the fallback). */
    public int width() {
        return supervisor.stage().size().width();
    }

    public int height() {
        return supervisor.stage().size().height();
    }

    /**
     * The size of the source's frames once known: a source that opened and said its size, or one that delivered a
     * frame; {@code null} before (an on-demand or unreachable relay, an RTSP stream not opened yet).
     */
    public VideoSize knownSize() {
        return supervisor.stage().knownSize();
    }

    /**
     * The source's own rate as far as it is known now, or 0: a pulled source's nominal rate (a file's, an RTSP
     * stream's once open, the configured one of a camera or the test pattern), a relay's configured or polling rate.
     */
    public double nominalFps() {
        return pulled != null ? pulled.nominalFps() : pushed.nominalFps();
    }

    /** The rate the capture thread paces at, or 0 for a source that paces itself (a camera, a pushed source). */
    public double pacingFps() {
        return pulled != null ? pulled.pacingFps() : 0;
    }

    /** Whether the source's own JPEGs are sent, with no encode; see {@link FrameSource#passesThrough()}. */
    public boolean passesThrough() {
        return pulled == null || pulled.passesThrough();
    }

    /**
     * Starts stopping, without waiting: nothing is published after this, and the capture thread is woken and
     * interrupted (which ends an RTSP open or read at once). {@link #close()} then waits for it, at most a second
     * after this call: so a server closes all its feeds in about a second, however many are stuck.
     */
    public void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            stopDeadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        }
        supervisor.close();
        if (pulled != null) {
            pulled.stop();
        } else {
            pushed.wake();
        }
    }

    /**
     * Stops (as {@link #stop()}, if not already), waits for the source to close until a second after the stop
     * began, and lets go of the ring. A capture thread stuck in a read that no interrupt ends is left behind (a
     * daemon): it closes the source if the read ever returns, and publishes nothing more.
     */
    @Override
    public void close() {
        stop();
        long deadline;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            deadline = stopDeadlineNanos;
        }
        if (pulled != null) {
            Thread thread = pulled.thread();
            if (thread != null) {
                Supervisor.join(thread, deadline);
            }
        } else {
            pushed.awaitClosed(deadline);
        }
        ring.removeListener(nextFrames);
        nextFrames.close();
        if (ownThreads != null) {
            ownThreads.close();
        }
    }
}
