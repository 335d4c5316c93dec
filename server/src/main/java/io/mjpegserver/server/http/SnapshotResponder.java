package io.mjpegserver.server.http;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.feed.Feed;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /snapshot}: a feed's newest frame as one {@code image/jpeg} from the ring's memory, a past one
 * ({@code ?at=-SECONDS}, {@code ?seq=N}) or the next ({@code ?wait=1}). An idle or interrupted feed's answer waits
 * for its first fresh frame, up to {@link #COLD_START_MILLIS}, handed to the connection's loop by a ring listener,
 * never blocking it. {@code X-Source-Online} says whether the frame is the source's own or NO SIGNAL.
 */
final class SnapshotResponder {

    /** How long a snapshot of an idle on-demand feed waits for the source to open and deliver. */
    static final long COLD_START_MILLIS = 10_000;
    /** How long {@code ?wait=1} waits for the next frame. */
    static final long WAIT_MILLIS = 10_000;

    void respond(ChannelHandlerContext ctx, HttpRequest request, Feed feed, ClientQuery.Snapshot query) {
        if (query.waitNext()) {
            respondOnNextFrame(ctx, request, feed, WAIT_MILLIS, "feed " + feed.name() + " delivered no new frame within "
                    + WAIT_MILLIS / 1000 + " s");
            return;
        }
        if (!query.newest()) {
            respondPast(ctx, request, feed, query);
            return;
        }
        if (feed.capture().idle()) {
            respondOnNextFrame(ctx, request, feed, COLD_START_MILLIS, "feed " + feed.name()
                    + " did not deliver a frame within " + COLD_START_MILLIS / 1000 + " s of opening");
            return;
        }
        Frame current = feed.ring().current();
        if (current == null && feed.ring().published() > 0) {
            // What the ring holds is from before the feed went down or to sleep: wait for what it captures now.
            respondOnNextFrame(ctx, request, feed, COLD_START_MILLIS, "feed " + feed.name()
                    + " delivered no current frame within " + COLD_START_MILLIS / 1000 + " s");
            return;
        }
        respondNow(ctx, request, current);
    }

    /** {@code ?at=} or {@code ?seq=}: that frame from the ring, or 404 when the ring does not hold it. */
    private static void respondPast(ChannelHandlerContext ctx, HttpRequest request, Feed feed, ClientQuery.Snapshot query) {
        FrameRing ring = feed.ring();
        Frame frame;
        String missing;
        if (query.sequence() > 0) {
            frame = ring.bySequence(query.sequence());
            long[] span = ring.sequenceSpan();
            missing = span[1] == 0 ? "feed " + feed.name() + " has no frame yet"
                    : query.sequence() > span[1] ? "frame " + query.sequence() + " of feed " + feed.name()
                            + " is not captured yet (the newest is " + span[1] + ")"
                    : "frame " + query.sequence() + " of feed " + feed.name() + " is gone (the ring holds " + span[0]
                            + " to " + span[1] + "; --ring-seconds keeps more)";
        } else {
            frame = ring.atOrBefore(System.nanoTime() - Math.round(query.atSeconds() * 1e9));
            missing = "no frame of feed " + feed.name() + " from " + query.atSeconds()
                    + " s ago is left in the ring (--ring-seconds keeps more)";
        }
        if (frame == null) {
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.NOT_FOUND, missing), false);
            return;
        }
        send(ctx, request, frame);
    }

    /** Sends {@code frame} (the ring's current one, whose reference the caller hands over), or 503 when none yet. */
    private static void respondNow(ChannelHandlerContext ctx, HttpRequest request, Frame frame) {
        if (frame == null) {
            FullHttpResponse busy = Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "no frame captured yet");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
            Responses.send(ctx, request, busy, false);
            return;
        }
        send(ctx, request, frame);
    }

    /** Sends {@code frame}, taking over the caller's reference to it. */
    private static void send(ChannelHandlerContext ctx, HttpRequest request, Frame frame) {
        // A duplicate: the write moves its own reader index, never the ring's, which stream parts and other
        // snapshots read concurrently (over TLS, or after a partial write, a shared index would cut them). The
        // response takes over the caller's reference; the encoder releases it once written.
        FullHttpResponse response = Responses.of(request, HttpResponseStatus.OK, "image/jpeg",
                frame.content().duplicate());
        long micros = frame.wallClockMicros();
        response.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store, no-cache, must-revalidate, max-age=0")
                .set(HttpHeaderNames.PRAGMA, "no-cache")
                .set("X-Timestamp", String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000))
                .set("X-Frame-Sequence", frame.sequence())
                .set("X-Source-Online", frame.live());
        Responses.send(ctx, request, response, false);
    }

    /**
     * Answers with the next frame the feed publishes (opening it when idle on demand), or 503 with
     * {@code timeoutMessage} when none comes within {@code millis}. The frame arrives on the capture thread;
     * the answer is written on the connection's loop.
     */
    private static void respondOnNextFrame(ChannelHandlerContext ctx, HttpRequest request, Feed feed, long millis,
            String timeoutMessage) {
        FrameRing ring = feed.ring();
        AtomicBoolean answered = new AtomicBoolean();
        ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        FrameListener first = new FrameListener() {
            @Override
            public void onFrame(Frame frame) {
                if (answered.compareAndSet(false, true)) {
                    ring.removeListener(this);
                    // Ours until sent: the ring may evict it before the loop gets to it.
                    Frame next = frame.retain();
                    try {
                        ctx.executor().execute(() -> {
                            if (timeout[0] != null) {
                                timeout[0].cancel(false);
                            }
                            send(ctx, request, next);
                            feed.capture().release();
                        });
                    } catch (RejectedExecutionException shuttingDown) {
                        next.release();
                        feed.capture().release();
                    }
                }
            }
        };
        feed.capture().acquire();
        ring.addListener(first);
        timeout[0] = ctx.executor().schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                ring.removeListener(first);
                FullHttpResponse busy = Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, timeoutMessage);
                busy.headers().set(HttpHeaderNames.RETRY_AFTER, 5);
                Responses.send(ctx, request, busy, false);
                feed.capture().release();
            }
        }, millis, TimeUnit.MILLISECONDS);
    }
}
