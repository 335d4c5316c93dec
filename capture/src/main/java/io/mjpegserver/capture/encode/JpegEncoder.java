package io.mjpegserver.capture.encode;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Encodes BGR images to baseline 4:2:0 JPEG with OpenCV's bundled libjpeg-turbo (about four times the speed
 * of ImageIO here). One per capture thread; not thread-safe.
 */
public final class JpegEncoder implements AutoCloseable {

    private final IntPointer params;
    private long lastEncodeNanos;

    public JpegEncoder(int quality) {
        params = new IntPointer(IMWRITE_JPEG_QUALITY, quality);
    }

    /**
     * Encodes {@code image} (8-bit BGR or grey) into a new direct buffer from {@code alloc}, sized exactly to
     * the JPEG. The caller owns and releases the returned buffer.
     */
    public ByteBuf encode(Mat image, ByteBufAllocator alloc) throws SourceException {
        long started = System.nanoTime();
        // imencode fills a native std::vector; the pointer must be closed after each call or native memory grows.
        try (BytePointer jpeg = new BytePointer()) {
            if (!imencode(".jpg", image, jpeg, params)) {
                throw new SourceException("JPEG encoding failed for a " + image.cols() + "x" + image.rows() + " image");
            }
            int length = Math.toIntExact(jpeg.limit());
            ByteBuf out = Frame.allocate(alloc, length);
            out.writeBytes(jpeg.position(0).limit(length).asByteBuffer());
            lastEncodeNanos = System.nanoTime() - started;
            return out;
        }
    }

    /** How long the last {@link #encode} took, copy into the buffer included. */
    public long lastEncodeNanos() {
        return lastEncodeNanos;
    }

    @Override
    public void close() {
        params.close();
    }
}
