package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.mjpegserver.capture.derive.Transform.Rotation;
import io.mjpegserver.capture.derive.Transform.Scale;
import io.mjpegserver.capture.encode.JpegEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.DataInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * What deriving costs per 1080p frame, in CPU time of one thread (a loaded machine inflates wall time, not this):
 * decode at each reduction, and {@link FrameProcessor#process} for the four variants. Writes the JPEG to
 * {@code target/derive-1080p.jpg} for the ffmpeg comparison. Run by hand (see the report), not by the tests:
 * {@code java -cp ... io.mjpegserver.capture.derive.DeriveCost [frames]}.
 */
public final class DeriveCost {

    private DeriveCost() {
    }

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        byte[] jpeg = frame1080p();
        Files.write(Path.of("target/derive-1080p.jpg"), jpeg);
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        ByteBuf in = alloc.directBuffer(jpeg.length).writeBytes(jpeg);
        System.out.printf("1920x1080 testsrc2 frame, quality 80, %d bytes; CPU ms per frame (median of 5 runs of %d)%n",
                jpeg.length, frames);
        try (ReducedDecoder decoder = new ReducedDecoder()) {
            for (int r : new int[] {1, 2, 4, 8}) {
                double ms = median(frames, () -> decoder.decode(in, r, true));
                System.out.printf("  decode 1/%d: %.2f ms%n", r, ms);
            }
        }
        Transform q80 = Transform.quality(80);
        Object[][] variants = {
            {"640 wide, q80", q80.withScale(new Scale(640, 0))},
            {"320 wide, q80", q80.withScale(new Scale(320, 0))},
            {"1920x1080, q50", Transform.quality(50)},
            {"rotate 90, q80", q80.withRotation(Rotation.CW90)},
        };
        for (Object[] v : variants) {
            try (FrameProcessor processor = new FrameProcessor((Transform) v[1], "bench")) {
                ByteBuf out = processor.process(in, 1920, 1080, true, 0, alloc);
                int bytes = out.readableBytes();
                out.release();
                double ms = median(frames, () -> processor.process(in, 1920, 1080, true, 0, alloc).release());
                System.out.printf("  process %s: %.2f ms, %dx%d, %d bytes%n", v[0], ms, processor.lastWidth(),
                        processor.lastHeight(), bytes);
            }
        }
        in.release();
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double median(int frames, Work work) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < frames / 4; i++) {
            work.run();
        }
        double[] runs = new double[5];
        for (int run = 0; run < runs.length; run++) {
            long started = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < frames; i++) {
                work.run();
            }
            runs[run] = (threads.getCurrentThreadCpuTime() - started) / 1e6 / frames;
        }
        Arrays.sort(runs);
        return runs[runs.length / 2];
    }

    /** One frame of ffmpeg's {@code testsrc2} at 1080p, encoded as the server encodes (quality 80). */
    private static byte[] frame1080p() throws Exception {
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                "testsrc2=size=1920x1080", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] pixels = new byte[1920 * 1080 * 3];
        try (InputStream out = ffmpeg.getInputStream()) {
            new DataInputStream(out).readFully(pixels);
        }
        ffmpeg.waitFor();
        try (Mat image = new Mat(1080, 1920, CV_8UC3); JpegEncoder encoder = new JpegEncoder(80)) {
            image.data().put(pixels);
            ByteBuf jpeg = encoder.encode(image, PooledByteBufAllocator.DEFAULT);
            try {
                return ByteBufUtil.getBytes(jpeg);
            } finally {
                jpeg.release();
            }
        }
    }
}
