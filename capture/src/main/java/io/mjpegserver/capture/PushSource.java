package io.mjpegserver.capture;


/**
 * A live source that pushes JPEGs as they arrive, on threads of its own (an HTTP relay reads on a Netty client
 * event loop): the other kind of source beside the pulled {@link FrameSource}. Both are supervised alike by
 * {@code CaptureService}: backoff, NO SIGNAL frames, figures and the watchdog.
 *
 * <p>Life cycle: {@link #open} starts delivering to a sink and returns at once; the source reports each frame
 * and at most one failure to that sink; after a failure, or when the supervisor judges the source silent for
 * too long, the supervisor calls {@link #close()} and, after its backoff, {@link #open} again with a new sink.
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
