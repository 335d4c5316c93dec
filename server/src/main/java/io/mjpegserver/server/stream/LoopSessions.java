package io.mjpegserver.server.stream;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.frame.FrameBudget;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The stream sessions of one event loop and the newest part it has seen; confined to the loop, so a frame
 * reaches all its clients in one task. At most one delivery task is queued: a loop behind its source skips to
 * the newest part rather than work through a backlog. Each part is pinned in the feed's {@link FrameBudget} once
 * while any client here has a write of it outstanding; a client pinning a part older than the cutoff is closed.
 */
final class LoopSessions {

    private static final StreamSession[] NONE = new StreamSession[0];

    private final EventLoop loop;
    private final long repeatNanos;
    private final FatalErrorHandler fatal;
    /** Whether a part is still current, or history (from before its feed went down or to sleep). */
    private final Predicate<Part> current;
    private final FrameBudget budget;
    /** The budget's cutoff as of this round: clients pinning an older part are closed. */
    private long cutoff;
    /** The newest part posted and not yet taken by the loop; one reference, released by whoever takes it out. */
    private final AtomicReference<Part> posted = new AtomicReference<>();
    private final Runnable publishPosted = this::publishPosted;
    /** Rebuilt on join and leave so a delivery can close a session while iterating. */
    private StreamSession[] sessions = NONE;
    private Part latest;
    private long latestSentNanos;
    private ScheduledFuture<?> repeater;
    private boolean closed;
    /** A part is being offered to every session: HTTP/2 connections are flushed at the end, once each. */
    private boolean delivering;
    private final Set<Channel> toFlush = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * @param current whether a part may still go as the current frame: one from before its feed went down or to
     *                sleep is neither repeated nor sent to a client that joins
     * @param budget  the feed's memory budget: what this loop's clients pin counts against it
     */
    LoopSessions(EventLoop loop, long repeatNanos, FatalErrorHandler fatal, Predicate<Part> current, FrameBudget budget) {
        this.loop = loop;
        this.repeatNanos = repeatNanos;
        this.fatal = fatal;
        this.current = current;
        this.budget = budget;
    }

    /** A client of this loop wrote {@code part} (this loop's): it pins it until {@link #unpin}. */
    void pin(Part part) {
        if (part.pin()) {
            budget.hold(part.sequence(), FrameBudget.footprint(part.length()));
        }
    }

    /** A client of this loop has taken its write of {@code part}, or dropped it: the pin ends. */
    void unpin(Part part) {
        if (part.unpin()) {
            budget.release(part.sequence());
        }
    }

    /** Parts older than this are pinned beyond the feed's budget: their clients are to be closed. */
    long cutoff() {
        return cutoff;
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Hands {@code part} to the loop, from any thread; the caller keeps its own reference. When the loop has not
     * yet taken the part posted before, that one is dropped for this (a loop-wide skip), and no new task is queued.
     */
    void post(Part part) {
        Part displaced = posted.getAndSet(part.retain());
        if (displaced != null) {
            displaced.release();
            return;
        }
        try {
            loop.execute(publishPosted);
        } catch (RejectedExecutionException shuttingDown) {
            Part left = posted.getAndSet(null);
            if (left != null) {
                left.release();
            }
        }
    }

    private void publishPosted() {
        Part part = posted.getAndSet(null);
        if (part == null) {
            return;
        }
        Part local = null;
        try {
            local = part.forLoop();
            publish(local);
        } catch (Error e) {
            // Netty would log it and go on: a loop that met an Error is not to be trusted.
            fatal.fatalIfError("event loop", e);
        } finally {
            part.release();
            if (local != null) {
                local.release();
            }
        }
    }

    /** Called on the loop with a part the caller still owns: keeps its own reference and fans it out. */
    void publish(Part part) {
        assert loop.inEventLoop();
        if (closed) {
            return;
        }
        Part previous = latest;
        latest = part.retain();
        pin(part);
        if (previous != null) {
            unpin(previous);
            previous.release();
        }
        // Posted before its feed went down or to sleep, taken after: history, not sent as the current frame.
        if (current.test(part)) {
            deliver(part);
        }
    }

    private void deliver(Part part) {
        // One clock read for the whole round: a round is milliseconds, the timeouts and rates it serves are not.
        long now = System.nanoTime();
        latestSentNanos = now;
        cutoff = budget.cutoff();
        delivering = true;
        try {
            for (StreamSession session : sessions) {
                session.offer(part, now);
            }
        } finally {
            delivering = false;
            if (!toFlush.isEmpty()) {
                for (Channel connection : toFlush) {
                    connection.flush();
                }
                toFlush.clear();
            }
        }
    }

    /**
     * Flushes {@code connection} (an HTTP/2 connection some of whose streams were written) once the part being
     * delivered has been offered to every session; outside a delivery (a join, a drained stream), at once.
     */
    void flushAfterDelivery(Channel connection) {
        if (delivering) {
            toFlush.add(connection);
        } else {
            connection.flush();
        }
    }

    /**
     * Re-sends the newest part when none came for the repeat interval (Chrome paints a part when the next begins),
     * unless it is history: a feed down with no NO SIGNAL frames, or asleep, sends nothing.
     */
    private void repeatIfIdle() {
        try {
            if (latest != null && sessions.length > 0 && System.nanoTime() - latestSentNanos >= repeatNanos
                    && current.test(latest)) {
                deliver(latest);
            }
        } catch (Error e) {
            fatal.fatalIfError("event loop", e);
        }
    }

    /** Adds a session and sends it the newest part at once, if it is current (else the next part to come). */
    void join(StreamSession session) {
        assert loop.inEventLoop();
        if (closed) {
            session.end();
            return;
        }
        StreamSession[] grown = Arrays.copyOf(sessions, sessions.length + 1);
        grown[sessions.length] = session;
        sessions = grown;
        if (repeater == null) {
            long tick = Math.max(1, repeatNanos / 4);
            repeater = loop.scheduleAtFixedRate(this::repeatIfIdle, tick, tick, TimeUnit.NANOSECONDS);
        }
        if (latest != null && current.test(latest)) {
            session.offer(latest, System.nanoTime());
        } else {
            // No part to send yet: the response head still goes out now (over HTTP/2, with its connection).
            session.flush();
        }
    }

    void leave(StreamSession session) {
        assert loop.inEventLoop();
        for (int i = 0; i < sessions.length; i++) {
            if (sessions[i] == session) {
                StreamSession[] shrunk = new StreamSession[sessions.length - 1];
                System.arraycopy(sessions, 0, shrunk, 0, i);
                System.arraycopy(sessions, i + 1, shrunk, i, sessions.length - i - 1);
                sessions = shrunk.length == 0 ? NONE : shrunk;
                break;
            }
        }
        if (sessions.length == 0 && repeater != null) {
            repeater.cancel(false);
            repeater = null;
        }
    }

    /**
     * The newest part if it is current, else {@code null}; not retained: valid on this loop until the next
     * {@link #publish}.
     */
    Part latest() {
        return latest != null && current.test(latest) ? latest : null;
    }

    /** Ends every stream and drops the newest part; returns the close futures of the streams it ended. */
    List<ChannelFuture> close() {
        assert loop.inEventLoop();
        closed = true;
        List<ChannelFuture> closing = new ArrayList<>();
        for (StreamSession session : sessions) {
            ChannelFuture closed = session.end();
            if (closed != null) {
                closing.add(closed);
            }
        }
        if (repeater != null) {
            repeater.cancel(false);
            repeater = null;
        }
        if (latest != null) {
            unpin(latest);
            latest.release();
            latest = null;
        }
        Part left = posted.getAndSet(null);
        if (left != null) {
            left.release();
        }
        return closing;
    }
}
