package io.mjpegserver.server.testing;

import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** A {@link FrameSource} that hands every call to another; a test overrides what it changes (a grab that fails, hangs). */
public abstract class ForwardingFrameSource implements FrameSource {

    protected final FrameSource inner;

    protected ForwardingFrameSource(FrameSource inner) {
        this.inner = inner;
    }

    @Override public void open() throws SourceException { inner.open(); }
    @Override public ByteBuf grab(ByteBufAllocator alloc) throws SourceException { return inner.grab(alloc); }
    @Override public int width() { return inner.width(); }
    @Override public int height() { return inner.height(); }
    @Override public double pacingFps() { return inner.pacingFps(); }
    @Override public double nominalFps() { return inner.nominalFps(); }
    @Override public long lastEncodeNanos() { return inner.lastEncodeNanos(); }
    @Override public boolean passesThrough() { return inner.passesThrough(); }
    @Override public boolean remote() { return inner.remote(); }
    @Override public void close() { inner.close(); }
}
