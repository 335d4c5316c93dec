package io.mjpegserver.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/** JPEG-sized bytes for benchmarks that never decode them: FF D8, filler, FF D9. */
final class FakeJpeg {

    private FakeJpeg() {
    }

    /** A pooled direct buffer of {@code size} bytes; the caller releases it. */
    static ByteBuf of(int size) {
        ByteBuf jpeg = PooledByteBufAllocator.DEFAULT.directBuffer(size, size);
        jpeg.writeByte(0xFF).writeByte(0xD8).writeZero(size - 4).writeByte(0xFF).writeByte(0xD9);
        return jpeg;
    }
}
