package io.mjpegserver.server.stream;

/**
 * Which of the parts its loop offers one client gets, whatever its protocol:
 * <ul>
 *   <li><b>Skip</b>: a part is written only once the client has taken every byte of the part written before
 *       it (its socket, or over HTTP/2 its stream's window and its connection, took it all); otherwise it is
 *       skipped, and as soon as the client has taken it all it gets the newest part, never a backlog.</li>
 *   <li><b>Rate</b> ({@code ?fps=N}): a new part goes only when its frame was captured at least 1/N s after
 *       the slot of the one written before it; the slots advance by 1/N s from the first part, so the parts
 *       are evenly spaced on the source's timeline and average N per second (a source slower than N gives
 *       every frame). Capture time, not send time: it is the same on every loop, free of the loop's queueing
 *       jitter, so a client at N gets a steady N whatever the load. Parts held back are decimated, apart from
 *       skips.</li>
 *   <li><b>Repeat</b>: the loop's one-second repeat of a part the client already has is never held back by
 *       the rate.</li>
 * </ul>
 * Confined to the session's event loop.
 */
final class DeliveryPolicy {

    enum Decision {
        SEND,
        /** The channel cannot take it now. */
        SKIP,
        /** Sooner than the client's rate allows. */
        DECIMATE
    }

    /** The least capture-time distance between parts written, 0 for none. */
    private final long minIntervalNanos;
    /** The capture time from which the next new part may be written. */
    private long nextDueNanos;
    private boolean sentAny;
    private long lastSequence;

    /** @param maxFps the most frames per second ({@code ?fps=}), 0 for every frame */
    DeliveryPolicy(double maxFps) {
        this.minIntervalNanos = maxFps > 0 ? Math.round(1e9 / maxFps) : 0;
    }

    /** What to do with {@code part} offered at {@code now}, given whether the client took all it was sent. */
    Decision decide(Part part, boolean allTaken, long now) {
        if (!isRepeat(part) && !due(part, now)) {
            return Decision.DECIMATE;
        }
        return allTaken ? Decision.SEND : Decision.SKIP;
    }

    /** Whether {@code newest} should go at once to a client that just took all it was sent. */
    boolean wantsOnDrain(Part newest, long now) {
        return newest != null && !isRepeat(newest) && due(newest, now);
    }

    /** Notes that {@code part} was written. */
    void sent(Part part) {
        if (minIntervalNanos > 0 && !isRepeat(part)) {
            // The next slot: one interval on from this one, or from this frame when the client fell behind (a
            // gap in the source, or skips), so a backlog of slots never comes out as a burst.
            nextDueNanos = sentAny && part.capturedNanos() - nextDueNanos < minIntervalNanos
                    ? nextDueNanos + minIntervalNanos : part.capturedNanos() + minIntervalNanos;
        }
        sentAny = true;
        lastSequence = part.sequence();
    }

    private boolean isRepeat(Part part) {
        return sentAny && part.sequence() == lastSequence;
    }

    /**
     * Whether the rate lets {@code part} (new to this client) go now: captured in or after its slot, or the
     * slot passed a whole interval ago with nothing newer (a stalled source: the newest frame still goes).
     */
    private boolean due(Part part, long now) {
        return minIntervalNanos == 0 || !sentAny || part.capturedNanos() - nextDueNanos >= 0
                || now - nextDueNanos >= minIntervalNanos;
    }
}
