package io.mjpegserver.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Map;

/**
 * A live source of JPEG images. Used by one thread only, the capture thread; every method may block.
 */
public interface FrameSource extends AutoCloseable {

    /** Opens the device or file. Fails with a message that names the source and says how to fix it. */
    void open() throws SourceException;

    /**
     * Blocks until the next image and returns it as one complete JPEG (FF D8 ... FF D9) in a buffer from
     * {@code alloc}. The caller owns the returned buffer and releases it.
     */
    ByteBuf grab(ByteBufAllocator alloc) throws SourceException;

    /** Output width; valid after {@link #open()}. */
    int width();

    /** Output height; valid after {@link #open()}. */
    int height();

    /**
     * The rate at which the capture thread should pace {@link #grab}, or {@code 0} when the source paces
     * itself (a camera blocks until its next frame). Valid after {@link #open()}.
     */
    double pacingFps();

    /**
     * The rate frames are expected at, from which the capture watchdog judges a {@link #grab} hung: the pacing
     * rate, or for a source that paces itself, the rate it was asked for. Valid after {@link #open()}.
     */
    default double nominalFps() {
        return pacingFps();
    }

    /** How long encoding the last grabbed image took, or 0 when it was passed through as it came. */
    default long lastEncodeNanos() {
        return 0;
    }

    /** A camera's controls as it holds them, read back once they were set at open; empty for any other source. */
    default Map<String, Integer> controls() {
        return Map.of();
    }

    /**
     * Whether the JPEGs are the source's own, sent as they come with no decode and no encode (an MJPEG file
     * kept at its size). Valid after {@link #open()}.
     */
    default boolean passesThrough() {
        return false;
    }

    /**
     * Whether the source is across a network (an RTSP camera): one that cannot be reached at start is not a
     * reason to refuse to start; it is opened on the capture thread, and until it opens it is a source loss like
     * any other (NO SIGNAL, reopened with backoff). A local device or file that cannot be opened fails the start.
     */
    default boolean remote() {
        return false;
    }

    /**
     * Whether a failed open costs only a local check (a camera: an unplugged one is missing at once), so that after a
     * loss it is tried again often, to be live within moments of coming back; others are tried up to 5 s apart.
     */
    default boolean cheapToReopen() {
        return false;
    }

    /** Releases the device or file. Idempotent; the source may be opened again afterwards. */
    @Override
    void close();
}
