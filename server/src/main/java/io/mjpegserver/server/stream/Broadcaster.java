package io.mjpegserver.server.stream;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Fans frames out to every stream client: one part (header built once) per frame, one task per event loop
 * per frame, never one per client. Listens to the ring on the capture thread.
 */
public final class Broadcaster implements FrameListener {

    private final MultipartFormat format;
    private final ByteBufAllocator alloc;
    private final Duration clientTimeout;
    private final Map<EventExecutor, LoopSessions> loops = new IdentityHashMap<>();
    /** Every open session, for statistics read from any thread. */
    private final Set<StreamSession> open = ConcurrentHashMap.newKeySet();

    /**
     * @param workers       the loops the stream channels live on
     * @param repeat        how long without a new frame before the newest is sent again
     * @param clientTimeout how long a client may stay unwritable before it is closed
     */
    public Broadcaster(EventLoopGroup workers, MultipartFormat format, ByteBufAllocator alloc, Duration repeat,
            Duration clientTimeout) {
        this.format = format;
        this.alloc = alloc;
        this.clientTimeout = clientTimeout;
        for (EventExecutor executor : workers) {
            loops.put(executor, new LoopSessions((EventLoop) executor, repeat.toNanos()));
        }
    }

    @Override
    public void onFrame(Frame frame) {
        Part part = Part.of(frame, format, alloc);
        try {
            for (LoopSessions sessions : loops.values()) {
                part.retain();
                try {
                    sessions.loop().execute(() -> {
                        try {
                            sessions.publish(part);
                        } finally {
                            part.release();
                        }
                    });
                } catch (RejectedExecutionException shuttingDown) {
                    part.release();
                }
            }
        } finally {
            part.release();
        }
    }

    public MultipartFormat format() {
        return format;
    }

    /** A new session for a channel on {@code loop}; it joins the stream when its handler is added. */
    StreamSession newSession(EventLoop loop, boolean chunked, String path) {
        return new StreamSession(loops.get(loop), open, format, chunked, path, clientTimeout.toNanos());
    }

    /** Statistics of every open stream session; never blocks. */
    public List<SessionStats> sessions() {
        List<SessionStats> all = new ArrayList<>(open.size());
        for (StreamSession session : open) {
            all.add(session.stats());
        }
        return all;
    }

    /** How many stream clients are connected. */
    public int clientCount() {
        return open.size();
    }

    /** Ends every stream and releases the parts the loops hold; waits up to a second per loop. */
    public void close() {
        for (LoopSessions sessions : loops.values()) {
            EventLoop loop = sessions.loop();
            if (loop.inEventLoop()) {
                sessions.close();
                continue;
            }
            Promise<Void> done = loop.newPromise();
            try {
                loop.execute(() -> {
                    sessions.close();
                    done.setSuccess(null);
                });
                done.awaitUninterruptibly(1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException alreadyStopped) {
                // Nothing runs there any more.
            }
        }
    }
}
