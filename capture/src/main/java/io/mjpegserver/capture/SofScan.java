package io.mjpegserver.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The least of a JPEG stage: a frame that does not start with SOI (FF D8) and end with EOI (FF D9) is dropped,
 * and the size is read from the SOF marker. Stands in for the full JPEG stage (wholeness, Huffman tables) until
 * it is plugged into {@link JpegCheck#standard()}.
 */
final class SofScan {

    private SofScan() {
    }

    /** {@code jpeg} when it starts with SOI and ends with EOI; otherwise {@code null}, and {@code jpeg} released. */
    static ByteBuf process(ByteBuf jpeg, ByteBufAllocator alloc) {
        int start = jpeg.readerIndex();
        int end = jpeg.writerIndex();
        if (end - start >= 4 && jpeg.getUnsignedShort(start) == 0xFFD8 && jpeg.getUnsignedShort(end - 2) == 0xFFD9) {
            return jpeg;
        }
        jpeg.release();
        return null;
    }

    /**
     * Walks the marker segments from SOI to the first SOF (C0-CF but C4 DHT, C8 JPG, CC DAC) and reads its
     * height and width; {@code null} when there is none before the scan, or the segments run off the end.
     */
    static VideoSize size(ByteBuf jpeg) {
        int i = jpeg.readerIndex();
        int end = jpeg.writerIndex();
        if (end - i < 4 || jpeg.getUnsignedShort(i) != 0xFFD8) {
            return null;
        }
        i += 2;
        while (i + 4 <= end) {
            if (jpeg.getUnsignedByte(i) != 0xFF) {
                return null;
            }
            int marker = jpeg.getUnsignedByte(i + 1);
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return null;
            }
            int length = jpeg.getUnsignedShort(i + 2);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                if (length < 7 || i + 9 > end) {
                    return null;
                }
                int height = jpeg.getUnsignedShort(i + 5);
                int width = jpeg.getUnsignedShort(i + 7);
                try {
                    return new VideoSize(width, height);
                } catch (IllegalArgumentException oddOrOutOfRange) {
                    return null;
                }
            }
            i += 2 + length;
        }
        return null;
    }
}
