package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSink;
import io.mjpegserver.capture.PushSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.pace.Demand;
import io.mjpegserver.capture.publish.FrameStage;
import io.mjpegserver.capture.publish.RingPublisher;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pushed source under supervision, with no thread of its own: the source's event loop calls the current
 * {@link FrameSink}, which publishes each frame at once through the {@link FrameStage}; turns on the shared
 * {@link SupervisorThreads} alone open and close the source, so an event loop never blocks on it. Each open gets a
 * new sink and generation: what an earlier sink delivers is released and ignored.
 */
final class PushedCapture extends AbstractCapture {

    private final PushSource source;
    private final SerialTask turns;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<Sink> current = new AtomicReference<>();
    /** Set by whoever declares the current sink over (it, or the watchdog); a turn acts on it. */
    private volatile boolean lossPending;

    PushedCapture(PushSource source, Supervisor supervisor) {
        super(supervisor);
        this.source = source;
        this.turns = new SerialTask(supervisor.threads().executor(), this::turn);
    }

    /** Fails only for what no retry can fix (a malformed address). */
    @Override
    void openNow() throws SourceException {
        try {
            openSource();
        } catch (SourceException | RuntimeException e) {
            current.set(null);
            source.close();
            throw e;
        }
    }

    private void openSource() throws SourceException {
        Sink sink = new Sink(supervisor.publisher().renew());
        current.set(sink);
        open = true;
        source.open(sink);
    }

    @Override
    void wake() {
        turns.request();
    }

    /** Waits for the turn that closes the source once the service has closed. */
    @Override
    void awaitStopped(long deadlineNanos) {
        try {
            closed.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Each turn: after a loss, close the source and start the backoff; not wanted, go idle; closed and the backoff
     * over, open it; then ask for the next turn when the backoff or the grace after the last client ends.
     */
    private void turn() {
        try {
            if (!supervisor.running()) {
                turns.cancelTimer();
                close();
                closed.countDown();
                return;
            }
            long now = System.nanoTime();
            Demand demand = supervisor.demand();
            if (lossPending) {
                lossPending = false;
                retryLater();
            }
            if (!demand.wanted(now)) {
                // Until a client comes (which asks for a turn).
                turns.cancelTimer();
                goIdle();
                return;
            }
            if (!open && nextOpenNanos - now <= 0) {
                reopen();
            }
            // Until the backoff is over, or the grace after the last client; sooner if clients come or go.
            long idleAt = demand.idleAtNanos();
            long until = open ? idleAt : Math.min(nextOpenNanos, idleAt);
            if (until != Demand.NEVER) {
                turns.requestAt(until);
            } else {
                turns.cancelTimer();
            }
        } catch (Error e) {
            supervisor.fatal().fatal(Thread.currentThread().getName(), e);
        }
    }

    /** Opens the source with a new sink; a failure ends that sink, and a later turn closes the source. */
    private void reopen() {
        supervisor.publisher().wake();
        try {
            openSource();
        } catch (SourceException | RuntimeException e) {
            String reason = openFailure(e, "opening the source");
            Sink sink = current.get();
            if (sink != null) {
                sink.failed(reason);
            }
        }
    }

    @Override
    void close() {
        current.set(null);
        super.close();
    }

    @Override
    void closeSource() {
        supervisor.closeQuietly(source);
    }

    @Override
    double pacingFps() {
        return 0;
    }

    @Override
    boolean passesThrough() {
        return true;
    }

    /** The current sink is over, with {@code reason}: a loss if the feed was up, one more reason if it was down. */
    private void over(Sink sink, String reason) {
        if (!current.compareAndSet(sink, null)) {
            return;
        }
        supervisor.failed(sink.generation, reason);
        lossPending = true;
        wake();
    }

    /** Where one connection of the source delivers. */
    private final class Sink implements FrameSink {
        final long generation;
        /** When the last whole frame came, or the sink was opened: what the watchdog times silence from. */
        volatile long lastNanos = System.nanoTime();

        Sink(long generation) {
            this.generation = generation;
        }

        @Override
        public void frame(ByteBuf jpeg) {
            frame(jpeg, 0);
        }

        /** Publishes {@code jpeg} on the caller's thread; released here whatever happens. */
        @Override
        public void frame(ByteBuf jpeg, long stampMicros) {
            if (current.get() != this) {
                jpeg.release();
                return;
            }
            try {
                FrameStage.Outcome outcome = supervisor.stage().deliver(generation, jpeg, true, null, 0, 0,
                        stampMicros);
                if (outcome != FrameStage.Outcome.INCOMPLETE && outcome != FrameStage.Outcome.STALE) {
                    lastNanos = System.nanoTime();
                }
                if (outcome == FrameStage.Outcome.BACK && afterLoss) {
                    afterLoss = false;
                    supervisor.reopened();
                }
            } catch (Error e) {
                supervisor.fatal().fatal(Thread.currentThread().getName(), e);
            } catch (RuntimeException e) {
                Error error = FatalErrorHandler.errorIn(e);
                if (error != null) {
                    supervisor.fatal().fatal(Thread.currentThread().getName(), error);
                    return;
                }
                if (current.compareAndSet(this, null)) {
                    supervisor.lost(generation, RingPublisher.Loss.INTERNAL,
                            Supervisor.internalWords("publishing a frame", e), e);
                    lossPending = true;
                    wake();
                }
            }
        }

        @Override
        public void incomplete() {
            if (current.get() == this) {
                supervisor.stage().incomplete();
            }
        }

        @Override
        public void failed(String reason) {
            try {
                over(this, reason);
            } catch (Error e) {
                supervisor.fatal().fatal(Thread.currentThread().getName(), e);
            }
        }
    }

    // The watchdog's view.

    @Override
    public CaptureWatchdog.Grab grab() {
        Sink sink = current.get();
        return sink == null ? null : new CaptureWatchdog.Grab(sink.lastNanos, sink.generation);
    }

    @Override
    public String hangWords() {
        return "it sends nothing";
    }

    @Override
    public void hung(String reason) {
        // Declared lost by the watchdog already.
        Sink sink = current.get();
        if (sink != null && sink.generation != supervisor.publisher().generation()) {
            current.compareAndSet(sink, null);
        }
        supervisor.tellFailed(reason);
        lossPending = true;
        wake();
    }

    @Override
    public void silentWhileDown(CaptureWatchdog.Grab grab, String reason) {
        Sink sink = current.get();
        if (sink != null && sink.generation == grab.generation()) {
            over(sink, reason);
        }
    }

    @Override
    public double nominalFps() {
        return source.nominalFps();
    }
}
