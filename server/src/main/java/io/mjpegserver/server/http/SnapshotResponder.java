package io.mjpegserver.server.http;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code /snapshot}: the newest frame as one {@code image/jpeg}, sent from the ring's memory without a copy. */
final class SnapshotResponder {

    private final FrameRing ring;

    SnapshotResponder(FrameRing ring) {
        this.ring = ring;
    }

    void respond(ChannelHandlerContext ctx, HttpRequest request) {
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
                .set("X-Timestamp", String.format(java.util.Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000))
                .set("X-Frame-Sequence", frame.sequence());
        Responses.send(ctx, request, response, false);
    }
}
