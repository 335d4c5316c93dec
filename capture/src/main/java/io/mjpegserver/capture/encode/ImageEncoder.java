package io.mjpegserver.capture.encode;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** Turns a decoded FFmpeg image into a JPEG of the output size. One per capture thread. */
public final class ImageEncoder implements AutoCloseable {

    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private final JpegEncoder jpeg;
    private final VideoSize output;
    private final Mat scaled = new Mat();
    private final Size scaledSize;

    /** @param output the size to scale to, or {@code null} to keep each image's own */
    public ImageEncoder(int quality, VideoSize output) {
        this.jpeg = new JpegEncoder(quality);
        this.output = output;
        this.scaledSize = output == null ? null : new Size(output.width(), output.height());
    }

    /** Encodes {@code image}; the caller owns the returned buffer. */
    public ByteBuf encode(Frame image, ByteBufAllocator alloc) throws SourceException {
        Mat mat = converter.convert(image);
        if (mat == null) {
            throw new SourceException("the source delivered an image OpenCV cannot convert");
        }
        return encode(mat, alloc);
    }

    /** Encodes a BGR {@code mat} (not changed); the caller owns the returned buffer. */
    public ByteBuf encode(Mat mat, ByteBufAllocator alloc) throws SourceException {
        if (output != null && (mat.cols() != output.width() || mat.rows() != output.height())) {
            resize(mat, scaled, scaledSize, 0, 0, INTER_AREA);
            mat = scaled;
        }
        return jpeg.encode(mat, alloc);
    }

    public long lastEncodeNanos() {
        return jpeg.lastEncodeNanos();
    }

    @Override
    public void close() {
        jpeg.close();
        scaled.close();
        if (scaledSize != null) {
            scaledSize.close();
        }
        converter.close();
    }
}
