package io.mjpegserver.server.http;

import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.feed.Variants;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * Turns a stream's or a snapshot's {@code width}, {@code height} and {@code quality} into the feed that serves them:
 * the feed itself when they are its own size and quality, else its variant of that size and quality, made if new
 * and held for the request. A size larger than the source's is a 400; a feed whose size is not known yet (an
 * on-demand relay before its first frame) is woken and answers 503 with {@code Retry-After}; a feed with its
 * {@code max-variants} in use answers 503 naming them.
 */
final class VariantRequests {

    /** Seconds a client waits before asking again: the grace after which an unused variant is gone. */
    static final int RETRY_SECONDS = 2;
    /** The smallest side of a variant. */
    static final int MIN_SIDE = 16;

    private VariantRequests() {
    }

    /**
     * The feed to serve, or {@code null} after answering. When it is not {@code feed}, it is a variant held for the
     * caller, who lets go with {@code served.capture().release()} once it answered.
     */
    static Feed serve(ChannelHandlerContext ctx, HttpRequest request, Feed feed, ClientQuery.Size asked) {
        if (asked.source()) {
            return feed;
        }
        VideoSize source = feed.knownSize();
        if (source == null) {
            // Opened now, and kept open for the feed's idle grace: the retry finds its size.
            feed.capture().acquire();
            feed.capture().release();
            busy(ctx, request, "feed " + feed.name() + "'s size is not known yet (its source has not sent a frame);"
                    + " it is opening, retry in " + RETRY_SECONDS + " s");
            return null;
        }
        String outOfRange = outOfRange("width", asked.width(), source.width(), source);
        if (outOfRange == null) {
            outOfRange = outOfRange("height", asked.height(), source.height(), source);
        }
        if (outOfRange != null) {
            Responses.send(ctx, request, Responses.error(request, HttpResponseStatus.BAD_REQUEST, outOfRange), false);
            return null;
        }
        Variants.Key key = key(asked, source, feed.config().quality());
        if (key.width() == source.width() && key.height() == source.height() && key.quality() == feed.config().quality()) {
            return feed;
        }
        Variants variants = feed.variants();
        Feed variant = variants == null ? null : variants.hold(key);
        if (variant == null) {
            List<Variants.Key> inUse = variants == null ? List.of() : variants.inUse();
            busy(ctx, request, variants == null ? "feed " + feed.name() + " serves no variants (max-variants 0);"
                    + " ask for its own size, " + source
                    : "feed " + feed.name() + " has its " + variants.max() + " variants in use: " + names(inUse)
                    + " (expected: one of those, or retry once one is let go)");
            return null;
        }
        return variant;
    }

    /** Why a side asked for cannot be made from the source's, or {@code null} when it can (0: not asked). */
    private static String outOfRange(String name, int asked, int side, VideoSize source) {
        if (asked == 0 || asked >= MIN_SIDE && asked <= side) {
            return null;
        }
        return name + "=" + asked + " is " + (asked > side ? "larger than the source's " + source : "smaller than "
                + MIN_SIDE) + " (expected: " + name + "=N, from " + MIN_SIDE + " to " + side + ")";
    }

    /**
     * The variant asked for: a side not given keeps the source's aspect ratio; each side is even (an odd one is
     * rounded down), as the encoder's chroma subsampling wants.
     */
    static Variants.Key key(ClientQuery.Size asked, VideoSize source, int feedQuality) {
        VideoSize size = asked.width() == 0 && asked.height() == 0 ? source
                : new Transform.Scale(asked.width(), asked.height()).of(source);
        return new Variants.Key(size.width(), size.height(), asked.quality() == 0 ? feedQuality : asked.quality());
    }

    private static String names(List<?> keys) {
        return String.join(", ", keys.stream().map(String::valueOf).toList());
    }

    /** 503 with {@code Retry-After}: the connection stays. */
    static void busy(ChannelHandlerContext ctx, HttpRequest request, String why) {
        FullHttpResponse busy = Responses.error(request, HttpResponseStatus.SERVICE_UNAVAILABLE, why);
        busy.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_SECONDS);
        Responses.send(ctx, request, busy, false);
    }
}
