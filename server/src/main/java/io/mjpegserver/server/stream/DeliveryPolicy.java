package io.mjpegserver.server.stream;

/**
 * Which parts one client gets, whatever its protocol: a part only once the client took all of the one before
 * (else a skip, and the newest as soon as it has), no sooner than its {@code ?fps=} slot on the source's
 * capture timeline (steady whatever the loop's load), and the one-second repeat never held back by the rate.
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
