package io.mjpegserver.server.stream;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Constant wire bytes: built once, read-only and unreleasable, in direct memory so a gathering write
 * needs no copy. The memory belongs to a JDK direct {@link ByteBuffer}, freed by the garbage collector
 * with the last reference, so nothing ever releases these. Write {@link ByteBuf#duplicate()}s of them:
 * each write needs its own reader index.
 */
public final class WireBytes {

    private WireBytes() {
    }

    public static ByteBuf of(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct)).asReadOnly();
    }

    public static ByteBuf ascii(String text) {
        return of(text.getBytes(US_ASCII));
    }
}
