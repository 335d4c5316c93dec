package io.mjpegserver.capture.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One encoded JPEG image (FF D8 ... FF D9) and when it was captured.
 *
 * <p>A frame is reference counted through its {@link #content()}: {@link #retain()} and {@link #release()}
 * act on the JPEG buffer. Whoever creates a frame owns one reference; {@link FrameRing#publish(Frame)} takes
 * that reference over. {@link #retainedDuplicate()} shares the bytes (no copy) and must be released by its
 * receiver.
 */
public final class Frame extends DefaultByteBufHolder {

    private final long sequence;
    private final long monotonicNanos;
    private final long wallClockMicros;
    private final int width;
    private final int height;

    /**
     * @param jpeg the encoded image; the new frame owns the caller's reference to it
     */
    public Frame(long sequence, long monotonicNanos, long wallClockMicros, int width, int height, ByteBuf jpeg) {
        super(jpeg);
        this.sequence = sequence;
        this.monotonicNanos = monotonicNanos;
        this.wallClockMicros = wallClockMicros;
        this.width = width;
        this.height = height;
    }

    /** Capture order, starting at 1; strictly increasing within one server run. */
    public long sequence() {
        return sequence;
    }

    /** {@link System#nanoTime()} when the image was captured. */
    public long monotonicNanos() {
        return monotonicNanos;
    }

    /** Wall-clock time of capture in microseconds since the Unix epoch (what {@code X-Timestamp} carries). */
    public long wallClockMicros() {
        return wallClockMicros;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The JPEG's length in bytes. */
    public int size() {
        return content().readableBytes();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(sequence, monotonicNanos, wallClockMicros, width, height, content);
    }

    @Override
    public Frame retainedDuplicate() {
        return (Frame) super.retainedDuplicate();
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        super.touch();
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "Frame(#" + sequence + ", " + width + 'x' + height + ", " + size() + " bytes)";
    }
}
