package io.mjpegserver.capture.publish;

/**
 * A feed's figures from its frames: counts, the rate of the last frames, the last grab and encode times.
 * Written by one thread at a time (the supervisor serialises frames), read by any.
 */
public final class CaptureFigures {

    private static final int FPS_WINDOW = 16;
    /** A rate shown without a frame for this long is not the source's any more, however fast it was. */
    private static final long STALE_NANOS = 2_000_000_000L;

    private final long[] frameTimes = new long[FPS_WINDOW];
    private volatile long frames;
    private volatile long lastFrameNanos;
    private volatile double windowFps;
    private volatile long lastGrabNanos;
    private volatile long lastEncodeNanos;
    private volatile long incomplete;
    private volatile long same;
    private volatile long reopens;

    /** A whole frame came from the source at {@code now} (published, or dropped as the same as the last one). */
    void frame(long now, long grabNanos, long encodeNanos) {
        lastGrabNanos = grabNanos;
        lastEncodeNanos = encodeNanos;
        long count = ++frames;
        lastFrameNanos = now;
        frameTimes[(int) (count % FPS_WINDOW)] = now;
        if (count >= 2) {
            int window = (int) Math.min(count, FPS_WINDOW);
            long oldest = frameTimes[(int) ((count - window + 1) % FPS_WINDOW)];
            windowFps = (window - 1) * 1e9 / Math.max(1, now - oldest);
        }
    }

    void incomplete() {
        incomplete++;
    }

    void same() {
        same++;
    }

    public void reopened() {
        reopens++;
    }

    public long frames() {
        return frames;
    }

    public long lastFrameNanos() {
        return lastFrameNanos;
    }

    /**
     * The rate of the last frames (up to 16, from the second frame on) as of {@code now}; 0 once no frame has come
     * for three of their intervals, and never sooner than {@link #STALE_NANOS}, so a slow source keeps its rate
     * between its frames.
     */
    public double fps(long now) {
        double rate = windowFps;
        if (rate <= 0 || now - lastFrameNanos > Math.max(STALE_NANOS, 3e9 / rate)) {
            return 0;
        }
        return rate;
    }

    public long lastGrabNanos() {
        return lastGrabNanos;
    }

    public long lastEncodeNanos() {
        return lastEncodeNanos;
    }

    public long incompleteFrames() {
        return incomplete;
    }

    public long sameFrames() {
        return same;
    }

    public long reopens() {
        return reopens;
    }
}
