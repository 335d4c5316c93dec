package io.mjpegserver.server.stream;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.capture.frame.FrameListener;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fans frames out to every stream client: one part (header built once) per frame, at most one pending task per
 * event loop, never one per client. Listens to the ring on the capture thread.
 */
public final class Broadcaster implements FrameListener {

    private final MultipartFormat format;
    private final ByteBufAllocator alloc;
    private final Duration clientTimeout;
    private final ClientLimits limits;
    private final RejectListener rejects;
    private final FatalErrorHandler fatal;
    private final ClientDemand demand;
    /**
     * Guards the move of a session from {@link #open} to the ended totals against {@link #totals()}, so a
     * scrape sees each session exactly once, open or ended, and a counter never goes backwards.
     */
    private final Object totalsLock = new Object();
    // Totals of ended sessions (under totalsLock); open ones are added when asked.
    private long endedFramesSent;
    private long endedFramesSkipped;
    private long endedBytesSent;
    private final LongAdder sessionsStarted = new LongAdder();
    private final LongAdder overBudget = new LongAdder();
    private final Map<EventExecutor, LoopSessions> loops = new IdentityHashMap<>();
    /** Every open session, for statistics read from any thread. */
    private final Set<StreamSession> open = ConcurrentHashMap.newKeySet();
    /** Parts up to this sequence are history (the feed went down or to sleep since): never sent as current. */
    private volatile long historyThrough;

    /**
     * @param workers       the loops the stream channels live on
     * @param repeat        how long without a new frame before the newest is sent again
     * @param clientTimeout how long a client may stay unwritable before it is closed
     * @param limits        how many stream clients may connect
     * @param rejects       told of every client turned away or cut off
     * @param fatal         told of an {@link Error} on an event loop while streaming
     * @param demand        told of each stream client that comes and goes (an on-demand source)
     */
    public Broadcaster(EventLoopGroup workers, MultipartFormat format, ByteBufAllocator alloc, Duration repeat,
            Duration clientTimeout, ClientLimits limits, RejectListener rejects, FatalErrorHandler fatal,
            ClientDemand demand) {
        this(workers, format, alloc, repeat, clientTimeout, limits, rejects, fatal, demand, FrameBudget.unlimited());
    }

    /**
     * As the constructor above, with the feed's {@code budget} (its ring's): what clients pin counts against it,
     * and clients pinning frames older than its cutoff are closed.
     */
    public Broadcaster(EventLoopGroup workers, MultipartFormat format, ByteBufAllocator alloc, Duration repeat,
            Duration clientTimeout, ClientLimits limits, RejectListener rejects, FatalErrorHandler fatal,
            ClientDemand demand, FrameBudget budget) {
        this.format = format;
        this.alloc = alloc;
        this.clientTimeout = clientTimeout;
        this.limits = limits;
        this.rejects = rejects;
        this.fatal = fatal;
        this.demand = demand;
        for (EventExecutor executor : workers) {
            loops.put(executor, new LoopSessions((EventLoop) executor, repeat.toNanos(), fatal, this::isCurrent, budget));
        }
    }

    @Override
    public void onFrame(Frame frame) {
        Part part = Part.of(frame, format, alloc);
        try {
            for (LoopSessions sessions : loops.values()) {
                sessions.post(part);
            }
        } finally {
            part.release();
        }
    }

    @Override
    public void onHistory(long throughSequence) {
        historyThrough = throughSequence;
    }

    /** Whether {@code part} may go as the current frame: the feed has not gone down or to sleep since. */
    private boolean isCurrent(Part part) {
        return part.sequence() > historyThrough;
    }

    public MultipartFormat format() {
        return format;
    }

    /**
     * Takes a stream slot for a client at {@code address}: {@code null} when admitted (then
     * {@link #newSession} must follow, and the session gives the slot back when it ends), or why not (the
     * reject listener has been told; the caller answers 503).
     */
    ClientLimits.Rejection admit(InetAddress address) {
        ClientLimits.Rejection rejection = limits.admit(address);
        if (rejection != null) {
            rejects.rejected(rejection.reason);
        }
        return rejection;
    }

    /**
     * A new session for an admitted client on {@code loop}; it joins the stream when started.
     *
     * @param maxFps the most frames per second it gets ({@code ?fps=}), 0 for every frame
     */
    StreamSession newSession(EventLoop loop, InetAddress address, StreamWire wire, String path, double maxFps) {
        return new StreamSession(this, loops.get(loop), address, wire, path, clientTimeout.toNanos(), maxFps, fatal);
    }

    void started(StreamSession session) {
        open.add(session);
        sessionsStarted.increment();
        demand.acquire();
    }

    /** Called once per session when it ends, on its loop. */
    void ended(StreamSession session, SessionStats stats) {
        synchronized (totalsLock) {
            if (!open.remove(session)) {
                limits.release(session.address());
                return;
            }
            endedFramesSent += stats.framesSent();
            endedFramesSkipped += stats.framesSkipped();
            endedBytesSent += stats.bytesSent();
        }
        limits.release(session.address());
        demand.release();
    }

    void timedOut() {
        rejects.rejected("client_timeout");
    }

    /** A client was closed because the frame it pinned was beyond the feed's memory budget. */
    void overBudget() {
        overBudget.increment();
        rejects.rejected("memory_budget");
    }

    /** Clients closed since start because what they pinned was beyond the feed's memory budget. */
    public long clientsOverBudget() {
        return overBudget.sum();
    }

    /** Frames and bytes streamed since start, by every session, ended or open. */
    public StreamTotals totals() {
        synchronized (totalsLock) {
            long sent = endedFramesSent;
            long skipped = endedFramesSkipped;
            long bytes = endedBytesSent;
            for (StreamSession session : open) {
                SessionStats stats = session.stats();
                sent += stats.framesSent();
                skipped += stats.framesSkipped();
                bytes += stats.bytesSent();
            }
            return new StreamTotals(sent, skipped, bytes, sessionsStarted.sum());
        }
    }

    /** Statistics of every open stream session; never blocks. */
    public List<SessionStats> sessions() {
        List<SessionStats> all = new ArrayList<>(open.size());
        for (StreamSession session : open) {
            all.add(session.stats());
        }
        return all;
    }

    /**
     * Ends every stream and releases the parts the loops hold, on every loop at once, and waits (a second in
     * all) until the streams' connections have closed, each once what was written to it went out.
     */
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        List<ChannelFuture> closing = new ArrayList<>();
        List<Promise<List<ChannelFuture>>> pending = new ArrayList<>();
        for (LoopSessions sessions : loops.values()) {
            EventLoop loop = sessions.loop();
            if (loop.inEventLoop()) {
                closing.addAll(sessions.close());
                continue;
            }
            Promise<List<ChannelFuture>> done = loop.newPromise();
            try {
                loop.execute(() -> done.setSuccess(sessions.close()));
                pending.add(done);
            } catch (RejectedExecutionException alreadyStopped) {
                // Nothing runs there any more.
            }
        }
        for (Promise<List<ChannelFuture>> done : pending) {
            if (done.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    && done.isSuccess()) {
                closing.addAll(done.getNow());
            }
        }
        for (ChannelFuture closed : closing) {
            if (closed.channel().eventLoop().inEventLoop()) {
                continue;
            }
            closed.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
