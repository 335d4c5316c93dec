package io.mjpegserver.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A pulled source whose images can be encoded off its capture thread, by a pool of encoder workers
 * ({@link CaptureOptions#workers()}): the capture thread only draws or decodes ({@link #grabImage()}), and each
 * worker encodes with an {@link Encoder} of its own. With one worker, {@link #grab} draws and encodes on the
 * capture thread.
 */
public interface PooledSource extends FrameSource {

    /**
     * Blocks until the next image, drawn or decoded but not encoded. Capture thread only. The caller encodes it
     * once, on any thread, then closes it; it stays valid after the source is closed, until then.
     */
    Image grabImage() throws SourceException;

    /** A new encoder of this source's images, for one thread at a time. Valid before {@link #open()}. */
    Encoder newEncoder();

    /** An image not yet encoded. */
    interface Image extends AutoCloseable {
        /** Gives the image's memory back (to the source, or freed once the source is closed). Idempotent. */
        @Override
        void close();
    }

    /** Encodes images of the source that made it; not thread-safe. */
    interface Encoder extends AutoCloseable {
        /**
         * Encodes {@code image} (not closed here) into a new buffer from {@code alloc}, which the caller owns and
         * releases.
         */
        ByteBuf encode(Image image, ByteBufAllocator alloc) throws SourceException;

        /** How long the last {@link #encode} took. */
        long lastEncodeNanos();

        @Override
        void close();
    }
}
