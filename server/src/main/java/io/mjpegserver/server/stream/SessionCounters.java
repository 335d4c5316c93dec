package io.mjpegserver.server.stream;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A stream session's counters: written by its event loop once per frame, read by {@code /state} and
 * {@code /metrics} from any thread. Opaque writes, not volatile ones: each is a plain store (no fence on the
 * hot path, where a session is offered every frame), yet a reader on another thread never sees a torn value
 * and never sees a counter go backwards. A reader may see one counter a frame ahead of another; nothing
 * relates them beyond that.
 */
final class SessionCounters {

    static final int SENT = 0;
    static final int SKIPPED = 1;
    static final int DECIMATED = 2;
    static final int BYTES = 3;
    static final int LAST_SEQUENCE = 4;
    /** {@link Double#doubleToRawLongBits} of the frames per second over the last window. */
    static final int FPS_BITS = 5;
    /** {@link System#nanoTime()} when the current fps window began. */
    static final int FPS_WINDOW_START = 6;
    private static final int COUNT = 7;

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    /** Loop only: adds {@code delta} to counter {@code index}. */
    void add(int index, long delta) {
        values.setOpaque(index, values.getPlain(index) + delta);
    }

    /** Loop only. */
    void set(int index, long value) {
        values.setOpaque(index, value);
    }

    /** The loop's own read of a value only it writes. */
    long own(int index) {
        return values.getPlain(index);
    }

    /** Any thread. */
    long get(int index) {
        return values.getOpaque(index);
    }

    /** Loop only. */
    void setFps(double fps) {
        set(FPS_BITS, Double.doubleToRawLongBits(fps));
    }

    /** Any thread. */
    double fps() {
        return Double.longBitsToDouble(get(FPS_BITS));
    }
}
