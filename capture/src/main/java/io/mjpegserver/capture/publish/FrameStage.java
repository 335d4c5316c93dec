package io.mjpegserver.capture.publish;

import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.jpeg.JpegCheck;
import io.mjpegserver.capture.pace.Backoff;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A live frame's way from either kind of source to the ring, in {@link #deliver}: the JPEG check, its size, the
 * same-frame drop, the publish, then the figures, the backoff and the observer. One frame at a time under a lock,
 * as a pushed source's frames come on whichever event loop its connection lives on; the watchdog never takes it.
 */
public final class FrameStage implements AutoCloseable {

    /** What became of a frame. */
    public enum Outcome {
        PUBLISHED,
        /** Published, and the source is up again after a loss. */
        BACK,
        /** Whole, but the same as the last one: not published. */
        SAME,
        /** Not whole: dropped. */
        INCOMPLETE,
        /** Its generation is over (a loss was declared, the feed went idle, the service closed): dropped. */
        STALE
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final RingPublisher publisher;
    private final CaptureFigures figures;
    private final Backoff backoff;
    private final JpegCheck check;
    private final SameFrames sameFrames;
    private final ByteBufAllocator alloc;
    private final CaptureObserver observer;
    /** The size of the last frame published, or what to assume before the first; what NO SIGNAL frames are drawn at. */
    private volatile VideoSize size;
    /** Whether {@link #size} is the source's (it opened and said so, or a frame did) rather than an assumption. */
    private volatile boolean sizeKnown;
    private long sameGeneration = -1;

    /** @param dropSameFrames whether byte-identical frames are dropped */
    public FrameStage(RingPublisher publisher, CaptureFigures figures, Backoff backoff, JpegCheck check, boolean dropSameFrames,
            ByteBufAllocator alloc, CaptureObserver observer, VideoSize size) {
        this.publisher = publisher;
        this.figures = figures;
        this.backoff = backoff;
        this.check = check;
        this.sameFrames = dropSameFrames ? new SameFrames() : null;
        this.alloc = alloc;
        this.observer = observer;
        this.size = size;
    }

    /**
     * Takes {@code jpeg} (the caller's reference, in every case) to the ring, if its {@code generation} (of the
     * open or the grab) is current. A {@code passedThrough} JPEG, the source's own, is checked and sized from its SOF;
     * an encoded one has {@code sourceSize}. {@code stampMicros} is the wall-clock capture time an upstream stamped
     * on it, or 0 to stamp it now; the ring's own timing (retention, time shift, repeats) stays on our monotonic
     * clock either way. What a ring listener or the observer throws is thrown on.
     */
    public Outcome deliver(long generation, ByteBuf jpeg, boolean passedThrough, VideoSize sourceSize, long grabNanos,
            long encodeNanos, long stampMicros) {
        lock.lock();
        try {
            if (passedThrough) {
                // Whole (or completed), or dropped and counted.
                jpeg = check.process(jpeg, alloc);
                if (jpeg == null) {
                    figures.incomplete();
                    return Outcome.INCOMPLETE;
                }
            }
            VideoSize frameSize = sizeOf(jpeg, sourceSize);
            if (sameFrames != null && dropSame(generation, jpeg)) {
                figures.same();
                figures.frame(System.nanoTime(), grabNanos, encodeNanos);
                backoff.reset();
                return Outcome.SAME;
            }
            int bytes = jpeg.readableBytes();
            ByteBuf kept = sameFrames != null ? jpeg.retainedDuplicate() : null;
            long now = System.nanoTime();
            RingPublisher.Outcome published;
            try {
                published = publisher.publishLive(generation, jpeg, now, stampMicros, frameSize.width(),
                        frameSize.height());
            } catch (RuntimeException e) {
                if (kept != null) {
                    kept.release();
                }
                throw e;
            }
            if (published == RingPublisher.Outcome.STALE) {
                if (kept != null) {
                    kept.release();
                }
                return Outcome.STALE;
            }
            if (kept != null) {
                sameFrames.remember(kept);
            }
            size = frameSize;
            sizeKnown = true;
            figures.frame(now, grabNanos, encodeNanos);
            // A whole frame published: the source is up, its next loss starts the backoff afresh.
            backoff.reset();
            observer.captured(grabNanos, encodeNanos, bytes);
            return published == RingPublisher.Outcome.BACK ? Outcome.BACK : Outcome.PUBLISHED;
        } finally {
            lock.unlock();
        }
    }

    private VideoSize sizeOf(ByteBuf jpeg, VideoSize sourceSize) {
        if (sourceSize != null) {
            return sourceSize;
        }
        VideoSize own = check.size(jpeg);
        // A frame whose SOF we cannot read (or with odd sides) is sent all the same, labelled with the last size.
        return own != null ? own : size;
    }

    /** Whether {@code jpeg} repeats the last frame published in this generation; if so, released. */
    private boolean dropSame(long generation, ByteBuf jpeg) {
        if (generation != sameGeneration) {
            // NO SIGNAL frames, or nothing, came between: the last live frame is not the previous one.
            sameFrames.forget();
            sameGeneration = generation;
            return false;
        }
        if (!sameFrames.same(jpeg)) {
            return false;
        }
        jpeg.release();
        return true;
    }

    /** A frame the source itself dropped as not whole (a pushed source's miscounted part): counted. */
    public void incomplete() {
        lock.lock();
        try {
            figures.incomplete();
        } finally {
            lock.unlock();
        }
    }

    /** The size NO SIGNAL frames are drawn at: the last frame's. */
    public VideoSize size() {
        return size;
    }

    /** The source was (re)opened with this size (a pulled source knows its size before its first frame). */
    public void size(VideoSize opened) {
        size = opened;
        sizeKnown = true;
    }

    /** The source's size once it said it, else {@code null}. */
    public VideoSize knownSize() {
        return sizeKnown ? size : null;
    }

    /** Drops the frame kept for comparison. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (sameFrames != null) {
                sameFrames.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
