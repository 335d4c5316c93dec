package io.mjpegserver.server.stream;

import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building one part's header ({@link MultipartFormat#header}): done once per frame, shared by every client.
 * In this package because the method is package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class PartHeaderBenchmark {

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
