package io.mjpegserver.capture.jpeg;

import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Checks each passed-through JPEG is whole and completes it with the standard Huffman tables when it has none.
 * One per feed; not thread-safe (one publisher at a time calls {@link #process}); the figures may be read from
 * any thread.
 *
 * <p>The markers are read by their segment lengths from SOI to the first SOS only; the entropy-coded data that
 * follows is not scanned, only its last two bytes are checked to be EOI. A frame is "not whole" when it does
 * not start with SOI, does not end with EOI (zero padding after EOI, which some cameras append, excepted), a
 * header segment runs past its end, or its headers are garbage.
 *
 * <p>A frame without DHT (the Motion-JPEG variant UVC cameras send, usually with an APP0 "AVI1" segment, which
 * is kept: it is a valid application segment every decoder skips) gets the tables of ITU-T T.81 Annex K.3
 * inserted just before its first SOS. There, rather than before SOF, because that is where libjpeg writes them:
 * a frame whose tables were stripped comes back as its encoder wrote it, and every segment before the scan
 * (APPn, DQT, SOF) keeps its offset for anything that sniffs the headers.
 */
public final class JpegStage {

    private final JpegHeaders headers = new JpegHeaders();
    // Written only by the publishing thread; volatile for readers of the figures.
    private volatile long dropped;
    private volatile long tablesInserted;
    private volatile String lastDrop;
    private VideoSize lastSize;
    private int lastWidth = -1;
    private int lastHeight = -1;

    public JpegStage() {
    }

    /**
     * Checks {@code jpeg} and completes it when it lacks Huffman tables.
     *
     * @param jpeg a frame's bytes (readable bytes only); this method takes ownership of it
     * @param alloc allocates the composite when tables are inserted
     * @return the JPEG to publish, which the caller owns and releases: {@code jpeg} itself when whole and
     *     complete (a slice sharing its reference count when zero padding after EOI was trimmed), or a composite
     *     of retained slices of {@code jpeg} around one duplicate of the shared, unreleasable table buffer (no
     *     copy of the frame's bytes; releasing the composite releases {@code jpeg}); or {@code null} when
     *     {@code jpeg} is not a whole JPEG, which was then released and counted in {@link #dropped()}
     */
    public ByteBuf process(ByteBuf jpeg, ByteBufAllocator alloc) {
        int start = jpeg.readerIndex();
        int end = jpeg.writerIndex();
        // Some cameras pad a frame after EOI with zeros; the last non-zero bytes must be EOI.
        int lastNonZero = end > start ? jpeg.forEachByteDesc(start, end - start, ByteProcessor.FIND_NON_NUL) : -1;
        end = lastNonZero + 1;
        JpegHeaders.Defect defect;
        if (end - start < 2 || jpeg.getUnsignedShort(start) != 0xFFD8) {
            defect = JpegHeaders.Defect.NO_SOI;
        } else if (end - start < 4 || jpeg.getUnsignedShort(end - 2) != 0xFFD9) {
            defect = JpegHeaders.Defect.NO_EOI;
        } else {
            defect = headers.read(jpeg, start, end - 2, false);
        }
        if (defect != null) {
            jpeg.release();
            lastDrop = defect.text();
            dropped++;
            return null;
        }
        rememberSize(headers.width(), headers.height());
        if (headers.lacksStandardTables()) {
            tablesInserted++;
            return withTables(jpeg, start, headers.scanStart(), end, alloc);
        }
        if (end < jpeg.writerIndex()) {
            return jpeg.slice(start, end - start); // shares jpeg's reference, which passes to the caller
        }
        return jpeg;
    }

    /** Releases {@code jpeg}; the composite holds its own references to it. */
    private static ByteBuf withTables(ByteBuf jpeg, int start, int scanStart, int end, ByteBufAllocator alloc) {
        CompositeByteBuf out = alloc.compositeDirectBuffer(3);
        try {
            out.addComponent(true, jpeg.retainedSlice(start, scanStart - start));
            out.addComponent(true, StandardHuffmanTables.SEGMENTS.duplicate());
            out.addComponent(true, jpeg.retainedSlice(scanStart, end - scanStart));
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        } finally {
            jpeg.release();
        }
        return out;
    }

    private void rememberSize(int width, int height) {
        if (width != lastWidth || height != lastHeight) {
            lastWidth = width;
            lastHeight = height;
            lastSize = toSize(width, height);
        }
    }

    /** Frames dropped because they were not whole JPEGs. */
    public long dropped() {
        return dropped;
    }

    /** Frames completed with the standard Huffman tables. */
    public long tablesInserted() {
        return tablesInserted;
    }

    /** Why the last dropped frame was dropped, as "the JPEG ..." completes it, or {@code null} before any. */
    public String lastDrop() {
        return lastDrop;
    }

    /**
     * The size from the frame header of the last frame {@link #process} returned, or {@code null} before any or
     * when it had no size a {@link VideoSize} can hold. For the publishing thread: saves reading the headers twice.
     */
    public VideoSize lastSize() {
        return lastSize;
    }

    /**
     * The image size from the frame header (SOF: baseline, extended, progressive, or any other), or {@code null}
     * when there is none before the first scan, the headers cannot be read that far, or the size is not one a
     * {@link VideoSize} can hold (odd, under 16 or over {@value VideoSize#MAX_SIDE} pixels, or a height given
     * later by DNL). Reads the readable bytes of {@code jpeg}, which stays the caller's; need not be whole.
     */
    public static VideoSize size(ByteBuf jpeg) {
        JpegHeaders headers = new JpegHeaders();
        if (headers.read(jpeg, jpeg.readerIndex(), jpeg.writerIndex(), true) != null || headers.frameMarker() == 0) {
            return null;
        }
        return toSize(headers.width(), headers.height());
    }

    private static VideoSize toSize(int width, int height) {
        try {
            return new VideoSize(width, height);
        } catch (IllegalArgumentException e) {
            return null; // a size the rest of the server cannot describe: unknown
        }
    }
}
