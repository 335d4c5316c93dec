package io.mjpegserver.capture.jpeg;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Reads a JPEG's marker segments from SOI to the first SOS (ITU-T T.81 B.1.1), by their lengths, without
 * touching the entropy-coded data that follows. One per stage, reused for every frame; not thread-safe.
 */
final class JpegHeaders {

    /** Why a buffer is not a whole JPEG. */
    enum Defect {
        /** Does not start with a start-of-image marker (FF D8). */
        NO_SOI,
        /** Does not end with an end-of-image marker (FF D9): cut short. */
        NO_EOI,
        /** A header segment runs past its end: cut short. */
        SEGMENT_PAST_END,
        /** Bytes that are not a marker where one should be: garbage. */
        NOT_A_MARKER,
        /** No image data (no start-of-scan marker before its end). */
        NO_SCAN,
        /** Image data but no frame header (SOF) before it. */
        NO_FRAME_HEADER
    }

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int DHT = 0xC4;
    private static final int TEM = 0x01;

    private int frameMarker;
    private int precision;
    private int width;
    private int height;
    private boolean huffmanTables;
    private int scanStart;

    /** The end of {@code jpeg}'s readable bytes less any zero padding after its last non-zero byte. */
    static int endWithoutPadding(ByteBuf jpeg) {
        int start = jpeg.readerIndex();
        int end = jpeg.writerIndex();
        return end > start ? jpeg.forEachByteDesc(start, end - start, ByteProcessor.FIND_NON_NUL) + 1 : start;
    }

    /**
     * Reads a whole frame, {@code jpeg[start, end)}: SOI first, EOI last, and sound headers up to the first SOS.
     *
     * @return {@code null} when the frame is whole, else what is wrong with it
     */
    Defect readWhole(ByteBuf jpeg, int start, int end) {
        if (end - start < 2 || jpeg.getUnsignedShort(start) != 0xFF00 + SOI) {
            return Defect.NO_SOI;
        }
        if (end - start < 4 || jpeg.getUnsignedShort(end - 2) != 0xFF00 + EOI) {
            return Defect.NO_EOI;
        }
        return read(jpeg, start, end - 2, false);
    }

    /**
     * Reads the segments of {@code jpeg[start, end)} up to the first SOS and remembers what they said.
     *
     * @param untilFrame stop at the first frame header (SOF) rather than at the first scan
     * @return {@code null} when the headers are sound, else what is wrong with them
     */
    Defect read(ByteBuf jpeg, int start, int end, boolean untilFrame) {
        frameMarker = 0;
        precision = 0;
        width = 0;
        height = 0;
        huffmanTables = false;
        scanStart = -1;
        if (end - start < 2 || jpeg.getUnsignedShort(start) != 0xFF00 + SOI) {
            return Defect.NO_SOI;
        }
        int at = start + 2;
        while (true) {
            int segmentStart = at;
            if (at >= end) {
                return Defect.NO_SCAN;
            }
            if (jpeg.getByte(at) != (byte) 0xFF) {
                return Defect.NOT_A_MARKER;
            }
            // Any number of FF fill bytes may precede a marker (B.1.1.2).
            while (at < end && jpeg.getByte(at) == (byte) 0xFF) {
                at++;
            }
            if (at >= end) {
                return Defect.SEGMENT_PAST_END;
            }
            int marker = jpeg.getUnsignedByte(at++);
            if (marker == TEM || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // standalone: no length follows
            }
            if (marker == 0x00 || marker == SOI) {
                return Defect.NOT_A_MARKER;
            }
            if (marker == EOI) {
                return Defect.NO_SCAN;
            }
            if (end - at < 2) {
                return Defect.SEGMENT_PAST_END;
            }
            int length = jpeg.getUnsignedShort(at);
            if (length < 2) {
                return Defect.NOT_A_MARKER;
            }
            if (length > end - at) {
                return Defect.SEGMENT_PAST_END;
            }
            if (marker == SOS) {
                if (frameMarker == 0) {
                    return Defect.NO_FRAME_HEADER;
                }
                scanStart = segmentStart;
                return null;
            }
            if (marker == DHT) {
                huffmanTables = true;
            } else if (isFrameHeader(marker) && frameMarker == 0) {
                if (length < 8) {
                    return Defect.NOT_A_MARKER;
                }
                frameMarker = marker;
                precision = jpeg.getUnsignedByte(at + 2);
                height = jpeg.getUnsignedShort(at + 3);
                width = jpeg.getUnsignedShort(at + 5);
                if (untilFrame) {
                    return null;
                }
            }
            at += length;
        }
    }

    /** SOF0-3, 5-7, 9-11, 13-15: every frame header; C4, C8 and CC are DHT, JPG and DAC. */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != DHT && marker != 0xC8 && marker != 0xCC;
    }

    /**
     * Whether a decoder needs Huffman tables the frame does not carry, and the standard ones fit: a Huffman-coded
     * 8-bit frame (baseline, extended or progressive) with no DHT before its first scan. Arithmetic-coded frames
     * need none; for lossless and 12-bit frames the Annex K tables do not fit, so those are left as they are.
     */
    boolean lacksStandardTables() {
        boolean fits = frameMarker == 0xC0 || frameMarker == 0xC1 || frameMarker == 0xC2;
        return fits && precision == 8 && !huffmanTables;
    }

    /** The index of the first SOS marker (of its fill bytes, if any), or -1 when there is none. */
    int scanStart() {
        return scanStart;
    }

    /** The frame header's marker (C0 to CF), or 0 when none was read. */
    int frameMarker() {
        return frameMarker;
    }

    /** The frame header's width in pixels; 0 when none was read. */
    int width() {
        return width;
    }

    /** The frame header's height in pixels; 0 when none was read or it is given later (DNL). */
    int height() {
        return height;
    }
}
