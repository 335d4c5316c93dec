package io.mjpegserver.capture.source;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.mjpegserver.bench.jmh.BenchmarkDefaults;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.JpegEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JPEG encoding of one test-pattern image ({@link JpegEncoder#encode}), and a whole test-pattern frame (draw
 * plus encode: what the capture thread spends per frame on {@code --test-pattern}). In this package because
 * the test pattern source is package-private.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JpegEncodeBenchmark extends BenchmarkDefaults {

    @Param({"1280x720", "1920x1080"})
    public String size;

    @Param({"80"})
    public int quality;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private TestPatternSource pattern;
    private JpegEncoder encoder;
    private Mat image;

    @Setup
    public void setUp() throws SourceException {
        pattern = new TestPatternSource(VideoSize.parse(size), 30, quality);
        pattern.open();
        ByteBuf first = pattern.grab(alloc);
        try (Mat encoded = new Mat(ByteBufUtil.getBytes(first))) {
            image = imdecode(encoded, IMREAD_COLOR);
        } finally {
            first.release();
        }
        encoder = new JpegEncoder(quality);
    }

    @TearDown
    public void tearDown() {
        encoder.close();
        image.close();
        pattern.close();
    }

    @Benchmark
    public int encode() throws SourceException {
        ByteBuf jpeg = encoder.encode(image, alloc);
        int length = jpeg.readableBytes();
        jpeg.release();
        return length;
    }

    @Benchmark
    public int testPatternFrame() throws SourceException {
        ByteBuf jpeg = pattern.grab(alloc);
        int length = jpeg.readableBytes();
        jpeg.release();
        return length;
    }
}
