package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.PooledSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.EncoderPool;
import io.mjpegserver.capture.publish.FrameStage;
import io.mjpegserver.capture.publish.RingPublisher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PulledCapture}'s images encoded by an {@link EncoderPool}: the capture thread grabs and submits, and the
 * JPEGs, in grab order, go to the {@link FrameStage} on whichever worker hands them on. A failed encode or publish is
 * a loss the capture thread learns of from {@link #takeBroken()}, and closes the source after {@link #drain()}.
 */
final class PooledCapture implements EncoderPool.Sink, AutoCloseable {

    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PooledSource source;
    private final Supervisor supervisor;
    private final EncoderPool pool;

    PooledCapture(PooledSource source, int workers, Supervisor supervisor, ByteBufAllocator alloc) {
        this.source = source;
        this.supervisor = supervisor;
        this.pool = new EncoderPool(source, workers, Supervisor.threadName(supervisor.description()), alloc, this,
                supervisor.fatal());
    }

    /**
     * Grabs one image (grab begun at {@code started}, in {@code generation}) and submits it, waiting for a free
     * worker; whether the source is still up. Capture thread only.
     */
    boolean capture(long generation, long started, VideoSize size) {
        PooledSource.Image image;
        try {
            image = source.grabImage();
        } catch (SourceException | RuntimeException e) {
            supervisor.readFailed(generation, e);
            return false;
        }
        try {
            pool.submit(new EncoderPool.Job(generation, started, size, image));
            return true;
        } catch (InterruptedException e) {
            // The watchdog's: every worker was busy for as long as makes a hang, and the loss is declared.
            return false;
        }
    }

    /** Whether an encode failed, or a frame came too late, since the last call: the source must be closed. */
    boolean takeBroken() {
        return pool.takeBroken();
    }

    /** Before the source closes: waits (up to a second) for the images in flight, and forgets their failures. */
    void drain() {
        pool.drain(DRAIN_NANOS);
        pool.takeBroken();
    }

    @Override
    public boolean encoded(EncoderPool.Job job, ByteBuf jpeg, long encodeNanos) {
        return supervisor.deliver(job.generation(), jpeg, false, job.size(), System.nanoTime() - job.startedNanos(),
                encodeNanos);
    }

    @Override
    public void failed(EncoderPool.Job job, Exception failure) {
        if (failure instanceof RuntimeException bug) {
            supervisor.lost(job.generation(), RingPublisher.Loss.INTERNAL, Supervisor.internalWords("encoding a frame", bug), bug);
        } else {
            supervisor.lost(job.generation(), RingPublisher.Loss.SOURCE, failure.getMessage(), null);
        }
    }

    /** Stops the workers; call after the source's last {@link #drain()}. */
    @Override
    public void close() {
        pool.close();
    }
}
