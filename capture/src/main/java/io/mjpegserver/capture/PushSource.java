package io.mjpegserver.capture;

/**
 * A live source that pushes JPEGs as they arrive, on threads of its own (an HTTP relay's Netty event loop), the
 * other kind beside the pulled {@link FrameSource}; {@code CaptureService} supervises both alike. Each
 * {@link #open} gets a new sink, which hears each frame and at most one failure; after a failure, or a silence, the
 * supervisor closes the source and, after its backoff, opens it again.
 */
public interface PushSource extends AutoCloseable {

    /**
     * Starts connecting and delivering to {@code sink}; returns at once. Fails only for what no retry can fix
     * (a malformed address); an unreachable or misbehaving upstream is reported through
     * {@link FrameSink#failed}.
     */
    void open(FrameSink sink) throws SourceException;

    /** The rate frames are expected at, for the watchdog; 0 when unknown (the watchdog then allows 2 s). */
    double nominalFps();

    /**
     * Disconnects. Idempotent; returns without blocking. The sink given to the last {@link #open} may still
     * see calls already under way; the supervisor ignores them.
     */
    @Override
    void close();
}
