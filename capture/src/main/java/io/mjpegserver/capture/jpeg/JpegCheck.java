package io.mjpegserver.capture.jpeg;

import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The JPEG stage as the supervisor sees it: what every passed-through frame (a pushed source's, a pulled
 * source's whose {@link FrameSource#passesThrough()}) goes through before the ring. One per service, used by
 * one thread at a time (the supervisor serialises frames).
 */
public interface JpegCheck {

    /**
     * The frame to publish: {@code jpeg} itself, or a completed one (Huffman tables added), or {@code null}
     * when it is not whole and must be dropped. Takes over the caller's reference to {@code jpeg} in every
     * case; the caller owns (and releases) what is returned.
     */
    ByteBuf process(ByteBuf jpeg, ByteBufAllocator alloc);

    /** The picture's size from its SOF marker, or {@code null} when it has none; {@code jpeg} is only read. */
    VideoSize size(ByteBuf jpeg);

    /** A new check for one service: the JPEG stage (whole frames only; standard Huffman tables added). */
    static JpegCheck standard() {
        return new JpegStage();
    }
}
