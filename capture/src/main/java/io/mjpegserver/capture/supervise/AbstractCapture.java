package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.SourceException;
import java.util.Map;

/**
 * What both capture lifecycles do alike: the source's open and closed state, the backoff after a loss, going idle
 * for lack of clients, the reopen to count, and the watchdog's view of the feed. A subclass says who runs its loop
 * ({@link PulledCapture}: its capture thread; {@link PushedCapture}: turns on the shared threads) and how frames
 * arrive. The fields are the loop's alone, except {@link #afterLoss}, which a pushed source's sink reads.
 */
abstract class AbstractCapture implements CaptureWatchdog.Feed {

    final Supervisor supervisor;
    /** Whether the source is open: from a pulled source's open, from the call to a pushed source's (which close ends). */
    boolean open;
    /** Whether the source was lost since it last came up: its next coming back is counted as a reopen. */
    volatile boolean afterLoss;
    /** When the backoff lets the source be opened again. */
    long nextOpenNanos;

    AbstractCapture(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    /** Opens the source on the caller's thread, failing fast; closes it again on failure. */
    abstract void openNow() throws SourceException;

    /** Clients came or went, a loss, or the service starts or closes: the loop re-reads its state. Never blocks. */
    abstract void wake();

    /** The service closes: the loop is woken to close the source. */
    void stop() {
        wake();
    }

    /** Waits, until {@code deadlineNanos}, for the loop to close the source after {@link #stop()}. */
    abstract void awaitStopped(long deadlineNanos);

    /** The rate the loop paces grabs at, or 0 for a source that paces itself. */
    abstract double pacingFps();

    /** Whether the source's own JPEGs are sent, with no encode. */
    abstract boolean passesThrough();

    /** A camera's controls as it holds them; see {@link io.mjpegserver.capture.FrameSource#controls()}. */
    Map<String, Integer> controls() {
        return Map.of();
    }

    /** Closes the source itself; called by {@link #close()} when it is open. */
    abstract void closeSource();

    /** Closes the source if it is open. */
    void close() {
        if (open) {
            open = false;
            closeSource();
        }
    }

    /** After a loss: closes the source, to be reopened when the backoff is over, and that reopen counted. */
    final void retryLater() {
        close();
        afterLoss = true;
        nextOpenNanos = System.nanoTime() + supervisor.backoff().next();
    }

    /**
     * Not wanted (an on-demand feed {@code idleGrace} after its last client): goes idle first, so nothing the source
     * still delivers while it closes is published, then closes it. Whether it went idle (false if it was already).
     */
    final boolean goIdle() {
        if (supervisor.publisher().isIdle()) {
            return false;
        }
        supervisor.publisher().idle();
        close();
        supervisor.backoff().reset();
        afterLoss = false;
        nextOpenNanos = System.nanoTime();
        return true;
    }

    /**
     * Words for users about a failed open, {@code doing} what: the source's own, or for our bug an internal error,
     * counted and logged. An {@link Error} in {@code e} is thrown on.
     */
    final String openFailure(Exception e, String doing) {
        FatalErrorHandler.rethrowError(e);
        if (e instanceof RuntimeException bug) {
            supervisor.internalError(doing, bug);
            return Supervisor.internalWords(doing, bug);
        }
        return e.getMessage();
    }

    // The watchdog's view, alike for both.

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
}
