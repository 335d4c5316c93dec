package io.mjpegserver.capture.publish;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Tells a frame byte-identical to the last one published ({@code --drop-same-frames}): lengths first, then the
 * bytes themselves (a memcmp through {@link ByteBufUtil#equals}, which stops at the first difference and
 * allocates nothing). It keeps a reference to the last published frame's bytes, which the ring holds anyway.
 * One thread at a time (the supervisor serialises frames).
 */
final class SameFrames implements AutoCloseable {

    /** The last published JPEG: our own reference, released when replaced, forgotten or closed. */
    private ByteBuf last;

    /** Whether {@code jpeg} (only read) has the same bytes as the last one {@link #published}. */
    boolean same(ByteBuf jpeg) {
        return last != null && last.readableBytes() == jpeg.readableBytes() && ByteBufUtil.equals(last, jpeg);
    }

    /** {@code jpeg} was published: it is the one to compare with now. Takes over the caller's reference. */
    void remember(ByteBuf jpeg) {
        forget();
        last = jpeg;
    }

    /** Nothing to compare with: a NO SIGNAL frame or a reopen came between. */
    void forget() {
        if (last != null) {
            last.release();
            last = null;
        }
    }

    @Override
    public void close() {
        forget();
    }
}
