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
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.pace.Backoff;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import java.util.Map;

/**
 * Captures one source into a frame ring, and keeps the feed alive when the source is not: NO SIGNAL frames after a
 * loss, and the source reopened with backoff. The server counts its clients here ({@link #acquire()}), which opens
 * and closes an on-demand source. A {@link PulledCapture} or a {@link PushedCapture} drives the source.
 */
public final class CaptureService implements AutoCloseable {

    private final Supervisor supervisor;
    private final AbstractCapture capture;
    private long stopDeadlineNanos; // guarded by this
    private boolean stopping; // guarded by this
    private boolean closed; // guarded by this

    private CaptureService(AbstractCapture capture) {
        this.supervisor = capture.supervisor;
        this.capture = capture;
    }

    /**
     * Starts capturing a pulled {@code source} (camera, file, test pattern, RTSP), which it owns, into {@code ring},
     * watched on the shared {@code threads} (which the caller closes after this service). The source is opened here, failing
     * fast, unless on demand or {@linkplain FrameSource#remote() remote}: then a failure to open is a loss.
     */
    public static CaptureService start(FrameSource source, String description, int quality, CaptureOptions options,
            FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer, FatalErrorHandler fatal,
            SupervisorThreads threads) throws SourceException {
        Supervisor supervisor = new Supervisor(description, quality, options, ring, alloc, observer, fatal,
                Supervisor.sizeOr(source.width(), source.height(), CaptureConfig.DEFAULT_SIZE), threads,
                source.cheapToReopen() ? Backoff.cheap() : Backoff.standard());
        return start(new PulledCapture(source, supervisor, alloc, options), !options.onDemand() && !source.remote());
    }

    /**
     * Starts capturing a pushed {@code source} (an HTTP relay), which it owns, into {@code ring}, on the shared
     * {@code threads} (which the caller closes after this service). An unreachable upstream is a loss like any other, NO SIGNAL
     * at {@code fallbackSize} until a frame tells the size; it fails only for a malformed address.
     */
    public static CaptureService start(PushSource source, String description, int quality, VideoSize fallbackSize,
            CaptureOptions options, FrameRing ring, ByteBufAllocator alloc, CaptureObserver observer,
            FatalErrorHandler fatal, SupervisorThreads threads) throws SourceException {
        Supervisor supervisor = new Supervisor(description, quality, options, ring, alloc, observer, fatal,
                fallbackSize, threads, Backoff.standard());
        return start(new PushedCapture(source, supervisor), !options.onDemand());
    }

    private static CaptureService start(AbstractCapture capture, boolean openNow) throws SourceException {
        if (openNow) {
            capture.openNow();
        }
        CaptureService service = new CaptureService(capture);
        capture.supervisor.start(capture);
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

    /** What the capture has done so far. */
    public CaptureStats stats() {
        return supervisor.stats();
    }

    /** The width of the frames this source produces (a pushed source's: its last frame's, or the fallback). */
    public int width() {
        return capture.width();
    }

    public int height() {
        return capture.height();
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
        return capture.nominalFps();
    }

    /** The rate the capture thread paces at, or 0 for a source that paces itself (a camera, a pushed source). */
    public double pacingFps() {
        return capture.pacingFps();
    }

    /** Whether the source's own JPEGs are sent, with no encode; see {@link FrameSource#passesThrough()}. */
    public boolean passesThrough() {
        return capture.passesThrough();
    }

    /** A camera's controls as it holds them; see {@link FrameSource#controls()}. */
    public Map<String, Integer> controls() {
        return capture.controls();
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
        capture.stop();
    }

    /**
     * Stops (as {@link #stop()}, if not already), waits for the source to close until a second after the stop
     * began. A capture thread stuck in a read that no interrupt ends is left behind (a
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
        capture.awaitStopped(deadline);
    }
}
