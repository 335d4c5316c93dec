package io.mjpegserver.server.stream;

import io.mjpegserver.bench.jmh.BenchmarkDefaults;
import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Building one part's header ({@link MultipartFormat#header}): done once per frame, shared by every client.
 * In this package because the method is package-private.
 */
public class PartHeaderBenchmark extends BenchmarkDefaults {

    private final MultipartFormat format = new MultipartFormat(MultipartFormat.DEFAULT_BOUNDARY);
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private Frame frame;

    @Setup
    public void setUp() {
        frame = new Frame(123_456, System.nanoTime(), 1_795_463_150_916_746L, 1280, 720, FakeJpeg.of(46_210));
    }

    @TearDown
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public int header() {
        MultipartFormat.PartHeader header = format.header(frame, alloc);
        int length = header.buf().readableBytes();
        header.buf().release();
        return length;
    }
}
