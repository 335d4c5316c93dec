package io.mjpegserver.server.stream;

import io.mjpegserver.bench.jmh.BenchmarkDefaults;
import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Fanning one frame out to N channels as a loop does: the part built once, then written to each client and
 * flushed, into a handler that releases it as the transport does: the user-space cost without the socket write
 * (iperf3 measures that). Score is per frame: divide by {@code clients} for the cost per client.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark extends BenchmarkDefaults {

    @Param({"1", "100", "1000"})
    public int clients;

    @Param({"true", "false"})
    public boolean chunked;

    private final MultipartFormat format = new MultipartFormat(MultipartFormat.DEFAULT_BOUNDARY);
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private EmbeddedChannel[] channels;
    private ChannelHandlerContext[] contexts;
    private Http1Wire[] wires;
    private Frame frame;

    @Setup
    public void setUp() {
        frame = new Frame(1, System.nanoTime(), 1_795_463_150_916_746L, 1280, 720, FakeJpeg.of(46_210));
        channels = new EmbeddedChannel[clients];
        contexts = new ChannelHandlerContext[clients];
        wires = new Http1Wire[clients];
        ByteBuf head = Unpooled.unreleasableBuffer(
                Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII));
        for (int i = 0; i < clients; i++) {
            StreamEnd end = new StreamEnd();
            channels[i] = new EmbeddedChannel(new WrittenOut(), end);
            contexts[i] = end.ctx;
            wires[i] = new Http1Wire(format, chunked, head);
            wires[i].open(contexts[i]);
        }
    }

    @TearDown
    public void tearDown() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
        frame.release();
    }

    @Benchmark
    public int fanOut() {
        Part part = Part.of(frame, format, alloc);
        try {
            int length = 0;
            for (int i = 0; i < clients; i++) {
                length = wires[i].write(contexts[i], part);
                contexts[i].flush();
            }
            return length;
        } finally {
            part.release();
        }
    }

    /** Where a stream session sits: its context is what the part is written to. */
    static final class StreamEnd extends ChannelInboundHandlerAdapter {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }

    /** Stands for the socket: each write is complete at once, and its buffer released (as the transport does). */
    static final class WrittenOut extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // nothing buffered
        }
    }
}
