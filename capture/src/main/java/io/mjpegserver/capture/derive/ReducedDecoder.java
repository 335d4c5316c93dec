package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.mjpegserver.capture.SourceException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes JPEGs at 1, 1/2, 1/4 or 1/8 of their size (libjpeg-turbo scales in the DCT, so a smaller decode costs
 * less), into one image it reuses. Reads a buffer in place when it is one direct region, else copies it into one
 * scratch buffer it reuses. Not thread-safe.
 */
final class ReducedDecoder implements AutoCloseable {

    private static final int[] REDUCTIONS = {8, 4, 2};

    private final Mat decoded = new Mat();
    private BytePointer scratch;

    /**
     * The largest reduction (8, 4, 2 or 1) at which a {@code width} x {@code height} region still has at least
     * {@code needWidth} x {@code needHeight} pixels.
     */
    static int reduction(int width, int height, int needWidth, int needHeight) {
        for (int r : REDUCTIONS) {
            if (width / r >= needWidth && height / r >= needHeight) {
                return r;
            }
        }
        return 1;
    }

    /**
     * Decodes {@code jpeg} (its readable bytes; not released here) at 1/{@code reduction}, in colour (BGR) or, for
     * a JPEG of one component when {@code keepGrey}, in grey. The image is this decoder's, valid until the next call.
     */
    Mat decode(ByteBuf jpeg, int reduction, boolean keepGrey) throws SourceException {
        int length = jpeg.readableBytes();
        boolean grey = keepGrey && components(jpeg) == 1;
        ByteBuffer bytes;
        if (jpeg.nioBufferCount() == 1 && jpeg.isDirect()) {
            bytes = jpeg.nioBuffer(jpeg.readerIndex(), length).slice();
        } else {
            if (scratch == null || scratch.capacity() < length) {
                if (scratch != null) {
                    scratch.close();
                }
                scratch = new BytePointer(Math.max(length, 64 * 1024));
            }
            bytes = scratch.position(0).limit(length).asByteBuffer();
            jpeg.getBytes(jpeg.readerIndex(), bytes);
            bytes.clear();
        }
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, length, CV_8UC1, data)) {
            imdecode(encoded, flags(reduction, grey), decoded);
        }
        if (decoded.empty()) {
            throw new SourceException("a frame of " + length + " bytes is not a JPEG that can be decoded");
        }
        return decoded;
    }

    private static int flags(int reduction, boolean grey) {
        return switch (reduction) {
            case 8 -> grey ? IMREAD_REDUCED_GRAYSCALE_8 : IMREAD_REDUCED_COLOR_8;
            case 4 -> grey ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_COLOR_4;
            case 2 -> grey ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_REDUCED_COLOR_2;
            default -> grey ? IMREAD_GRAYSCALE : IMREAD_COLOR;
        };
    }

    /** The number of components in the JPEG's frame header, or 0 when there is none before the scan. */
    static int components(ByteBuf jpeg) {
        int at = jpeg.readerIndex() + 2;
        int end = jpeg.writerIndex();
        while (at + 9 < end) {
            if (jpeg.getUnsignedByte(at) != 0xFF) {
                return 0;
            }
            int marker = jpeg.getUnsignedByte(at + 1);
            if (marker == 0xFF) {
                at++;
                continue;
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return jpeg.getUnsignedByte(at + 9);
            }
            if (marker == 0xDA) {
                return 0;
            }
            at += 2 + jpeg.getUnsignedShort(at + 2);
        }
        return 0;
    }

    @Override
    public void close() {
        decoded.close();
        if (scratch != null) {
            scratch.close();
        }
    }
}
