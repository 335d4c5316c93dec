package io.mjpegserver.testing;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.nio.file.Path;
import java.util.function.IntFunction;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Short video clips made by the tests themselves, with JavaCV's recorder (no ffmpeg binary needed). */
public final class Clips {

    /** How the clip is coded. */
    public enum Codec {
        /** MJPEG in AVI: what the file source passes through without re-encoding. */
        MJPEG_AVI("avi", "avi", AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P),
        /** A raw MJPEG stream, JPEGs back to back with no container: {@code ffmpeg -i in.mp4 -c:v mjpeg clip.mjpeg}. */
        MJPEG_RAW("mjpeg", "mjpeg", AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P),
        /** MPEG-4 part 2 in Matroska: decoded and re-encoded. */
        MPEG4_MKV("matroska", "mkv", AV_CODEC_ID_MPEG4, AV_PIX_FMT_YUV420P);

        final String format;
        /** What such a file's name ends with. */
        public final String extension;
        final int codec;
        final int pixelFormat;

        Codec(String format, String extension, int codec, int pixelFormat) {
            this.format = format;
            this.extension = extension;
            this.codec = codec;
            this.pixelFormat = pixelFormat;
        }
    }

    private Clips() {
    }

    /** Bits of the frame number {@link #makeNumbered} draws, and {@link #number} reads back. */
    public static final int NUMBER_BITS = 10;

    /**
     * Writes {@code frames} frames at {@code fps}, each carrying its own index as {@link #NUMBER_BITS} black or
     * white blocks across the top, most significant first: {@link #number} reads it back from a decoded frame.
     */
    public static Path makeNumbered(Path file, Codec codec, int width, int height, int frames, double fps) throws Exception {
        int block = width / NUMBER_BITS;
        return record(file, codec, width, height, frames, fps, 2, i -> {
            Mat mat = new Mat(height, width, CV_8UC3, new Scalar(128, 128, 128, 0));
            for (int bit = 0; bit < NUMBER_BITS; bit++) {
                int level = (i >> (NUMBER_BITS - 1 - bit) & 1) == 1 ? 255 : 0;
                try (Rect square = new Rect(bit * block, 0, block, Math.min(block, height / 2))) {
                    rectangle(mat, square, new Scalar(level, level, level, 0), -1, 8, 0);
                }
            }
            return mat;
        });
    }

    /**
     * A raw MJPEG stream of {@link #makeNumbered} frames whose first JPEG is larger than FFmpeg's probe reads (1 MiB,
     * padded with application segments), as a large first frame of a high-resolution clip is: FFmpeg's probe then
     * sees a single JPEG.
     */
    public static Path makeRawMjpegWithLargeFirstFrame(Path file, int width, int height, int frames, double fps)
            throws Exception {
        byte[] stream = java.nio.file.Files.readAllBytes(makeNumbered(file, Codec.MJPEG_RAW, width, height, frames, fps));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(stream, 0, 2); // the first JPEG's SOI
        byte[] segment = new byte[2 + 65535];
        segment[0] = (byte) 0xFF;
        segment[1] = (byte) 0xEF; // APP15, whose length (65535) counts itself but not the marker
        segment[2] = (byte) 0xFF;
        segment[3] = (byte) 0xFF;
        for (int i = 0; i < 17; i++) {
            out.write(segment);
        }
        out.write(stream, 2, stream.length - 2);
        return java.nio.file.Files.write(file, out.toByteArray());
    }

    /**
     * What {@code curl http://host:8080/stream > file} leaves: the stream's body as our server sends it, every JPEG
     * of {@code clip} (an MJPEG clip) a part, and a last part cut short, where curl was stopped.
     */
    public static Path recordMultipart(Path clip, Path file) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] first = null;
        try (org.bytedeco.javacv.FFmpegFrameGrabber grabber = new org.bytedeco.javacv.FFmpegFrameGrabber(clip.toFile())) {
            grabber.start();
            out.write("--boundarydonotcross\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (org.bytedeco.ffmpeg.avcodec.AVPacket packet; (packet = grabber.grabPacket()) != null; ) {
                byte[] jpeg = new byte[packet.size()];
                packet.data().position(0).limit(jpeg.length).asByteBuffer().get(jpeg);
                org.bytedeco.ffmpeg.global.avcodec.av_packet_unref(packet);
                first = first == null ? jpeg : first;
                out.write(part(jpeg.length));
                out.write(jpeg);
                out.write("\r\n--boundarydonotcross\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
        out.write(part(first.length));
        out.write(first, 0, first.length / 2);
        return java.nio.file.Files.write(file, out.toByteArray());
    }

    private static byte[] part(int length) {
        return ("Content-Type: image/jpeg\r\nContent-Length: " + length + "\r\nX-Timestamp: 1700000000.000000\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The frame number {@link #makeNumbered} drew on {@code image}. */
    public static int number(java.awt.image.BufferedImage image) {
        int block = image.getWidth() / NUMBER_BITS;
        int number = 0;
        for (int bit = 0; bit < NUMBER_BITS; bit++) {
            int rgb = image.getRGB(bit * block + block / 2, Math.min(block, image.getHeight() / 2) / 2);
            int green = (rgb >> 8) & 0xFF;
            number = number << 1 | (green > 128 ? 1 : 0);
        }
        return number;
    }

    /** Writes a still image (the format follows the name: .jpg, .png) of a grey level with a white square. */
    public static Path still(Path file, int width, int height, int level) {
        try (Mat mat = new Mat(height, width, CV_8UC3, new Scalar(level, level, level, 0));
                Rect square = new Rect(width / 4, height / 4, width / 2, height / 2)) {
            rectangle(mat, square, new Scalar(255, 255, 255, 0), -1, 8, 0);
            if (!org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(file.toString(), mat)) {
                throw new IllegalStateException("cannot write " + file);
            }
        }
        return file;
    }

    /**
     * Writes {@code frames} frames at {@code fps}: each a grey level that rises with the frame index and a
     * white square whose position does too, so frames differ from each other.
     */
    public static Path make(Path file, Codec codec, int width, int height, int frames, double fps) throws Exception {
        return record(file, codec, width, height, frames, fps, 4, i -> {
            int level = 40 + i * 160 / Math.max(1, frames - 1);
            Mat mat = new Mat(height, width, CV_8UC3, new Scalar(level, level, level, 0));
            try (Rect square = new Rect(i * (width - height / 4) / Math.max(1, frames - 1), height / 3, height / 4, height / 4)) {
                rectangle(mat, square, new Scalar(255, 255, 255, 0), -1, 8, 0);
            }
            return mat;
        });
    }

    /** Records {@code frames} pictures at {@code fps}, the {@code i}th drawn by {@code picture} (and closed here). */
    private static Path record(Path file, Codec codec, int width, int height, int frames, double fps, int quality,
            IntFunction<Mat> picture) throws Exception {
        av_log_set_level(AV_LOG_ERROR);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat(codec.format);
            recorder.setVideoCodec(codec.codec);
            recorder.setPixelFormat(codec.pixelFormat);
            recorder.setFrameRate(fps);
            recorder.setVideoQuality(quality);
            recorder.start();
            for (int i = 0; i < frames; i++) {
                try (Mat mat = picture.apply(i)) {
                    recorder.record(converter.convert(mat));
                }
            }
            recorder.stop();
        }
        return file;
    }
}
