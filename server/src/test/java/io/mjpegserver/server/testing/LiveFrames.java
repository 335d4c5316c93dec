package io.mjpegserver.server.testing;

import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the frames still alive anywhere in the server, exactly: a source's JPEG buffers come from an
 * allocator of their own, whose buffers count themselves out when their memory is freed, whoever held them
 * last (the ring, a loop's newest part, a stalled socket's unsent write).
 */
public final class LiveFrames extends AbstractByteBufAllocator {

    private final AtomicLong live = new AtomicLong();
    private final AtomicLong liveBytes = new AtomicLong();

    public LiveFrames() {
        super(true);
    }

    /** {@code source}, its frames allocated here whatever allocator the server passes it. */
    public FrameSource track(FrameSource source) {
        return new ForwardingFrameSource(source) {
            @Override
            public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
                return inner.grab(LiveFrames.this);
            }
        };
    }

    /** Frames whose memory has not been freed. */
    public long live() {
        return live.get();
    }

    public long liveBytes() {
        return liveBytes.get();
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        live.incrementAndGet();
        liveBytes.addAndGet(initialCapacity);
        return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity) {
            @Override
            protected void deallocate() {
                live.decrementAndGet();
                liveBytes.addAndGet(-initialCapacity);
                super.deallocate();
            }
        };
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
