package io.mjpegserver.capture.jpeg;

import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The standard {@link JpegCheck}. Reads only the markers from SOI to the first SOS and the last two bytes (EOI;
 * zero padding after it is trimmed). A frame without DHT (what UVC cameras send) gets the Annex K.3 tables just
 * before its first SOS, where libjpeg writes them. One per feed; one publisher at a time.
 */
final class JpegStage implements JpegCheck {

    private final JpegHeaders headers = new JpegHeaders();

    /**
     * Takes ownership of {@code jpeg} (its readable bytes) and returns what to publish, which the caller releases:
     * {@code jpeg} itself (or a slice sharing its reference, when padding after EOI was trimmed), or a composite of
     * retained slices of it around the shared table buffer (releasing the composite releases {@code jpeg}), or
     * {@code null}, {@code jpeg} released, when it is not a whole JPEG.
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
