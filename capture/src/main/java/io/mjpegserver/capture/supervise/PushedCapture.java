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
 * A pushed source under supervision. Two kinds of thread meet here:
 * <ul>
 * <li>the source's own threads (a Netty client event loop) call the {@link FrameSink} of the moment: each frame
 *     goes through the {@link FrameStage} and is published on that thread at once; a failure is declared a
 *     loss there. Neither ever blocks beyond the publisher's short lock: they never open or close the source;</li>
 * <li>its turns, one at a time on the shared {@link SupervisorThreads} (no thread of its own), alone open and
 *     close the source. Each turn, top to bottom: after a loss, close the source and start the backoff; not
 *     wanted (an on-demand feed {@code idleGrace} after its last client), close it and go idle; closed and the
 *     backoff over, open it with a new sink; then ask for the next turn when the backoff or the grace ends
 *     (clients coming or going, a loss and the service's close ask for one at once).</li>
 * </ul>
 * Each open gets a new sink and a new publisher generation: a sink that is not the current one is stale, and
 * what it delivers is released and ignored; a frame already under way from it is dropped by the publisher.
 * The watchdog judges the source silent when the current sink has had no whole frame for its hang threshold
 * (3 periods of the rate it has shown, 2 to 30 s) since its last one (or since it was opened): a loss while the feed is up; while it is down, one more reason
 * to reconnect (counted once per outage, as a pulled source's failed reopens). An {@link Error} on a sink call
 * goes to the {@link FatalErrorHandler}, on the calling thread, as does one in a turn.
 */
final class PushedCapture implements CaptureWatchdog.Feed {

    private final PushSource source;
    private final Supervisor supervisor;
    private final SerialTask turns;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<Sink> current = new AtomicReference<>();
    /** Set by whoever declares the current sink over (it, or the watchdog); a turn acts on it. */
    private volatile boolean lossPending;
    /** Whether the next frame is the first after a loss (a reopen to count). */
    private volatile boolean afterLoss;
    // Turns only (and the starter, before the first).
    private boolean open;
    private long nextOpenNanos;

    PushedCapture(PushSource source, Supervisor supervisor) {
        this.source = source;
        this.supervisor = supervisor;
        this.turns = new SerialTask(supervisor.threads().executor(), this::turn);
    }

    /** Opens the source on the caller's thread: fails only for what no retry can fix (a malformed address). */
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

    void start() {
        turns.request();
    }

    /** Clients came or went, a loss, or the service closes: a turn re-reads the state. Never blocks. */
    void wake() {
        turns.request();
    }

    /** Waits, until {@code deadlineNanos}, for the turn that closes the source once the service has closed. */
    void awaitClosed(long deadlineNanos) {
        try {
            closed.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

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
                close();
                afterLoss = true;
                nextOpenNanos = now + supervisor.backoff().next();
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

    private void goIdle() {
        if (!supervisor.publisher().isIdle()) {
            // Idle first: nothing the source still delivers while it closes is published.
            supervisor.publisher().idle();
            close();
            supervisor.backoff().reset();
            afterLoss = false;
            nextOpenNanos = System.nanoTime();
        }
    }

    private void reopen() {
        supervisor.publisher().wake();
        try {
            openSource();
        } catch (SourceException | RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            String reason = e instanceof SourceException ? e.getMessage()
                    : Supervisor.internalWords("opening the source", (RuntimeException) e);
            if (e instanceof RuntimeException bug) {
                supervisor.internalError("opening the source", bug);
            }
            Sink sink = current.get();
            if (sink != null) {
                sink.failed(reason);
            }
        }
    }

    private void close() {
        current.set(null);
        if (open) {
            open = false;
            supervisor.closeQuietly(source);
        }
    }

    /** The current sink is over, with {@code reason}: a loss if the feed was up, one more reason if it was down. */
    private void over(Sink sink, String reason) {
        if (!current.compareAndSet(sink, null)) {
            return;
        }
        if (supervisor.publisher().online()) {
            supervisor.lost(sink.generation, RingPublisher.Loss.SOURCE, reason, null);
        } else if (sink.generation == supervisor.publisher().generation()) {
            supervisor.stillDown(reason);
        }
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

        /** Publishes {@code jpeg} on the caller's thread; released here whatever happens. */
        @Override
        public void frame(ByteBuf jpeg) {
            if (current.get() != this) {
                jpeg.release();
                return;
            }
            try {
                FrameStage.Outcome outcome = supervisor.stage().deliver(generation, jpeg, true, null, 0, 0);
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
}
