package io.mjpegserver.capture.jpeg;

import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The standard {@link JpegCheck}: drops a frame that is not a whole JPEG and completes one without Huffman tables.
 * One per feed; not thread-safe (one publisher at a time calls {@link #process}).
 *
 * <p>Only the markers from SOI to the first SOS are read, by their segment lengths; of the scan, only the last
 * two bytes are checked to be EOI (zero padding after EOI, which some cameras append, is trimmed). A frame
 * without DHT (the Motion-JPEG variant UVC cameras send) gets the tables of ITU-T T.81 Annex K.3 just before its
 * first SOS, where libjpeg writes them, so every segment before the scan keeps its offset.
 */
final class JpegStage implements JpegCheck {

    private final JpegHeaders headers = new JpegHeaders();

    /**
     * Checks {@code jpeg} and completes it when it lacks Huffman tables.
     *
     * @param jpeg a frame's bytes (readable bytes only); this method takes ownership of it
     * @param alloc allocates the composite when tables are inserted
     * @return the JPEG to publish, which the caller owns and releases: {@code jpeg} itself when whole and
     *     complete (a slice sharing its reference count when zero padding after EOI was trimmed), or a composite
     *     of retained slices of {@code jpeg} around one duplicate of the shared, unreleasable table buffer (no
     *     copy of the frame's bytes; releasing the composite releases {@code jpeg}); or {@code null} when
     *     {@code jpeg} is not a whole JPEG, which was then released
     */
    @Override
    public ByteBuf process(ByteBuf jpeg, ByteBufAllocator alloc) {
        int start = jpeg.readerIndex();
        int end = JpegHeaders.endWithoutPadding(jpeg);
        if (headers.readWhole(jpeg, start, end) != null) {
            jpeg.release();
            return null;
        }
        if (headers.lacksStandardTables()) {
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

    /**
     * The image size from the frame header (SOF: baseline, extended, progressive, or any other), or {@code null}
     * when there is none before the first scan, the headers cannot be read that far, or the size is not one a
     * {@link VideoSize} can hold (odd, under 16 or over {@value VideoSize#MAX_SIDE} pixels, or a height given
     * later by DNL). Reads the readable bytes of {@code jpeg}, which stays the caller's; need not be whole.
     */
    @Override
    public VideoSize size(ByteBuf jpeg) {
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
