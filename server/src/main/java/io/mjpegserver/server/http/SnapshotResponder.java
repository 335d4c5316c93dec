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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /snapshot}: a feed's newest frame as one {@code image/jpeg}, sent from the ring's memory without a
 * copy. A feed idle for lack of clients (on demand) is opened, and the answer waits for its first frame, up to
 * {@link #COLD_START_MILLIS}.
 */
final class SnapshotResponder {

    /** How long a snapshot of an idle on-demand feed waits for the source to open and deliver. */
    static final long COLD_START_MILLIS = 10_000;

    void respond(ChannelHandlerContext ctx, HttpRequest request, Feed feed) {
        if (feed.capture().idle()) {
            respondWhenWarm(ctx, request, feed);
            return;
        }
        respondNow(ctx, request, feed.ring());
    }

    private static void respondNow(ChannelHandlerContext ctx, HttpRequest request, FrameRing ring) {
        Frame frame = ring.latest();
        if (frame == null) {
            FullHttpResponse busy = Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "no frame captured yet");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
            Responses.send(ctx, request, busy, false);
            return;
        }
        // A duplicate: the write moves its own reader index, never the ring's, which stream parts and other
        // snapshots read concurrently (over TLS, or after a partial write, a shared index would cut them). The
        // response takes over the reference latest() gave us; the encoder releases it once written.
        FullHttpResponse response = Responses.of(request, HttpResponseStatus.OK, "image/jpeg",
                frame.content().duplicate());
        long micros = frame.wallClockMicros();
        response.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store, no-cache, must-revalidate, max-age=0")
                .set(HttpHeaderNames.PRAGMA, "no-cache")
                .set("X-Timestamp", String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000))
                .set("X-Frame-Sequence", frame.sequence());
        Responses.send(ctx, request, response, false);
    }

    /**
     * Opens the idle feed for this request and answers with its first frame, or 503 when none comes in time.
     * The frame arrives on the capture thread; the answer is written on the connection's loop.
     */
    private static void respondWhenWarm(ChannelHandlerContext ctx, HttpRequest request, Feed feed) {
        FrameRing ring = feed.ring();
        AtomicBoolean answered = new AtomicBoolean();
        ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        FrameListener first = new FrameListener() {
            @Override
            public void onFrame(Frame frame) {
                if (answered.compareAndSet(false, true)) {
                    ring.removeListener(this);
                    ctx.executor().execute(() -> {
                        if (timeout[0] != null) {
                            timeout[0].cancel(false);
                        }
                        respondNow(ctx, request, ring);
                        feed.capture().release();
                    });
                }
            }
        };
        feed.capture().acquire();
        ring.addListener(first);
        timeout[0] = ctx.executor().schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                ring.removeListener(first);
                FullHttpResponse busy = Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "feed "
                        + feed.name() + " did not deliver a frame within " + COLD_START_MILLIS / 1000 + " s of opening");
                busy.headers().set(HttpHeaderNames.RETRY_AFTER, 5);
                Responses.send(ctx, request, busy, false);
                feed.capture().release();
            }
        }, COLD_START_MILLIS, TimeUnit.MILLISECONDS);
    }
}
