package io.mjpegserver.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pooled allocator that counts every allocation and the bytes asked for, so a test can show what serving
 * more clients costs in buffers.
 */
public final class CountingAllocator implements ByteBufAllocator {

    private final ByteBufAllocator delegate = new PooledByteBufAllocator(true);
    private final LongAdder allocations = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    public long allocations() {
        return allocations.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    private ByteBuf count(ByteBuf buf) {
        allocations.increment();
        bytes.add(buf.capacity());
        return buf;
    }

    private CompositeByteBuf count(CompositeByteBuf buf) {
        allocations.increment();
        return buf;
    }

    @Override public ByteBuf buffer() { return count(delegate.buffer()); }
    @Override public ByteBuf buffer(int initialCapacity) { return count(delegate.buffer(initialCapacity)); }
    @Override public ByteBuf buffer(int initialCapacity, int maxCapacity) { return count(delegate.buffer(initialCapacity, maxCapacity)); }
    @Override public ByteBuf ioBuffer() { return count(delegate.ioBuffer()); }
    @Override public ByteBuf ioBuffer(int initialCapacity) { return count(delegate.ioBuffer(initialCapacity)); }
    @Override public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) { return count(delegate.ioBuffer(initialCapacity, maxCapacity)); }
    @Override public ByteBuf heapBuffer() { return count(delegate.heapBuffer()); }
    @Override public ByteBuf heapBuffer(int initialCapacity) { return count(delegate.heapBuffer(initialCapacity)); }
    @Override public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) { return count(delegate.heapBuffer(initialCapacity, maxCapacity)); }
    @Override public ByteBuf directBuffer() { return count(delegate.directBuffer()); }
    @Override public ByteBuf directBuffer(int initialCapacity) { return count(delegate.directBuffer(initialCapacity)); }
    @Override public ByteBuf directBuffer(int initialCapacity, int maxCapacity) { return count(delegate.directBuffer(initialCapacity, maxCapacity)); }
    @Override public CompositeByteBuf compositeBuffer() { return count(delegate.compositeBuffer()); }
    @Override public CompositeByteBuf compositeBuffer(int maxNumComponents) { return count(delegate.compositeBuffer(maxNumComponents)); }
    @Override public CompositeByteBuf compositeHeapBuffer() { return count(delegate.compositeHeapBuffer()); }
    @Override public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) { return count(delegate.compositeHeapBuffer(maxNumComponents)); }
    @Override public CompositeByteBuf compositeDirectBuffer() { return count(delegate.compositeDirectBuffer()); }
    @Override public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) { return count(delegate.compositeDirectBuffer(maxNumComponents)); }
    @Override public boolean isDirectBufferPooled() { return delegate.isDirectBufferPooled(); }
    @Override public int calculateNewCapacity(int minNewCapacity, int maxCapacity) { return delegate.calculateNewCapacity(minNewCapacity, maxCapacity); }
}
