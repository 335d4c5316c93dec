package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.encode.JpegEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.ZoneId;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one JPEG into the transformed JPEG: decoded at the smallest DCT reduction that still covers the output,
 * then cropped, resized, rotated, flipped, overlaid and encoded. A NO SIGNAL frame is only
 * fitted to the output size, so its words stay readable. Not thread-safe: one per derived stream, which reuses
 * its images from frame to frame.
 */
public final class FrameProcessor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FrameProcessor.class);

    private final Transform transform;
    private final String feedName;
    private final ReducedDecoder decoder = new ReducedDecoder();
    private final JpegEncoder encoder;
    private final OverlayText overlayText;
    private final Mat scaled = new Mat();
    private final Mat turned = new Mat();
    private final Mat flipped = new Mat();
    private final Mat boxed = new Mat();
    private boolean warnedClamp;
    private int lastWidth;
    private int lastHeight;
    private long lastNanos;

    /** @param feedName the derived feed's source, for the overlay's {@code %$} and for log lines */
    public FrameProcessor(Transform transform, String feedName) {
        this.transform = transform;
        this.feedName = feedName;
        this.encoder = new JpegEncoder(transform.quality());
        this.overlayText = transform.overlay() == null ? null
                : new OverlayText(transform.overlay().format(), feedName, ZoneId.systemDefault());
    }

    /**
     * Transforms one {@code width} x {@code height} frame, {@code jpeg} (read, not released; may be composite); not
     * {@code live} (NO SIGNAL), it is only fitted to the output size. {@code wallClockMicros} is the overlay's time.
     * Returns a new buffer from {@link io.mjpegserver.capture.frame.Frame#allocate}, which the caller owns.
     *
     * @throws SourceException the frame cannot be decoded or encoded
     */
    public ByteBuf process(ByteBuf jpeg, int width, int height, boolean live, long wallClockMicros,
            ByteBufAllocator alloc) throws SourceException {
        long started = System.nanoTime();
        Geometry g = Geometry.of(transform, width, height);
        ByteBuf out;
        if (live) {
            out = transformed(jpeg, width, height, g, wallClockMicros, alloc);
        } else {
            out = fitted(jpeg, width, height, g, alloc);
        }
        lastWidth = g.outWidth();
        lastHeight = g.outHeight();
        lastNanos = System.nanoTime() - started;
        return out;
    }

    private ByteBuf transformed(ByteBuf jpeg, int width, int height, Geometry g, long wallClockMicros,
            ByteBufAllocator alloc) throws SourceException {
        if (g.clamped() && !warnedClamp) {
            warnedClamp = true;
            log.warn("{}: crop {} does not fit its {}x{} frames; using {}x{}+{}+{}", feedName, transform.crop(), width,
                    height, g.cropWidth(), g.cropHeight(), g.cropX(), g.cropY());
        }
        int sw = g.scaledWidth(transform);
        int sh = g.scaledHeight(transform);
        int r = ReducedDecoder.reduction(g.cropWidth(), g.cropHeight(), sw, sh);
        Mat decoded = decoder.decode(jpeg, r, true);
        int x0 = Math.min(g.cropX() / r, decoded.cols() - 1);
        int y0 = Math.min(g.cropY() / r, decoded.rows() - 1);
        int x1 = Math.min(decoded.cols(), ceilDiv(g.cropX() + g.cropWidth(), r));
        int y1 = Math.min(decoded.rows(), ceilDiv(g.cropY() + g.cropHeight(), r));
        try (Rect rect = new Rect(x0, y0, x1 - x0, y1 - y0); Mat region = new Mat(decoded, rect)) {
            Mat image = region;
            if (image.cols() != sw || image.rows() != sh) {
                try (Size size = new Size(sw, sh)) {
                    resize(image, scaled, size, 0, 0, interpolation(image.cols(), image.rows(), sw, sh));
                }
                image = scaled;
            }
            if (transform.rotation() != Transform.Rotation.NONE) {
                rotate(image, turned, rotateCode(transform.rotation()));
                image = turned;
            }
            if (transform.flip() != Transform.Flip.NONE) {
                flip(image, flipped, transform.flip() == Transform.Flip.HORIZONTAL ? 1 : 0);
                image = flipped;
            }
            if (overlayText != null) {
                drawOverlay(image, overlayText.at(wallClockMicros));
            }
            return encoder.encode(image, alloc);
        }
    }

    private ByteBuf fitted(ByteBuf jpeg, int width, int height, Geometry g, ByteBufAllocator alloc)
            throws SourceException {
        int r;
        try (Rect inner = Letterbox.inner(width, height, g.outWidth(), g.outHeight())) {
            r = ReducedDecoder.reduction(width, height, inner.width(), inner.height());
        }
        Mat decoded = decoder.decode(jpeg, r, true);
        boxed.create(g.outHeight(), g.outWidth(), decoded.type());
        Letterbox.fit(decoded, boxed);
        return encoder.encode(boxed, alloc);
    }

    /** The overlay, a twentieth of the frame's height, in from its top corner by half that. */
    private void drawOverlay(Mat image, String text) {
        double textHeight = Math.max(10, image.rows() / 20.0);
        int margin = (int) Math.round(textHeight / 2);
        boolean right = transform.overlay().position() == Transform.Overlay.Position.TOP_RIGHT;
        TextPainter.draw(image, text, right ? image.cols() - margin : margin, margin, textHeight,
                image.cols() - 2 * margin, right);
    }

    private static int rotateCode(Transform.Rotation rotation) {
        return switch (rotation) {
            case CW90 -> ROTATE_90_CLOCKWISE;
            case CW180 -> ROTATE_180;
            case CW270 -> ROTATE_90_COUNTERCLOCKWISE;
            case NONE -> throw new IllegalArgumentException("rotation: NONE (expected: a turn)");
        };
    }

    /**
     * Bilinear when the image is at most twice the output on each side (what is left after the DCT reduction), where
     * it samples every source pixel at a fraction of area averaging's cost; area averaging for a larger step down.
     */
    static int interpolation(int fromWidth, int fromHeight, int toWidth, int toHeight) {
        return fromWidth <= 2 * toWidth && fromHeight <= 2 * toHeight ? INTER_LINEAR : INTER_AREA;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The width of the last frame {@link #process} returned. */
    public int lastWidth() {
        return lastWidth;
    }

    public int lastHeight() {
        return lastHeight;
    }

    /** How long the last {@link #process} took, decode to encode. */
    public long lastNanos() {
        return lastNanos;
    }

    @Override
    public void close() {
        decoder.close();
        encoder.close();
        scaled.close();
        turned.close();
        flipped.close();
        boxed.close();
    }
}
