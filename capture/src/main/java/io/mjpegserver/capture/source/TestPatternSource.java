package io.mjpegserver.capture.source;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import io.mjpegserver.capture.PooledSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.CanvasPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A synthetic moving image: colour bars, an orientation marker near the top-left corner, a sweeping box, and the
 * frame number and drawing time in text and as a {@link TestPatternCode}. Each frame has a canvas of its own ({@link CanvasPool}), so workers encode while the
 * next ones are drawn.
 */
final class TestPatternSource implements PooledSource {

    /** The bars, left to right, in OpenCV's BGR order. */
    static final Scalar[] BARS = {
        new Scalar(255, 255, 255, 0), new Scalar(0, 255, 255, 0), new Scalar(255, 255, 0, 0), new Scalar(0, 255, 0, 0),
        new Scalar(255, 0, 255, 0), new Scalar(0, 0, 255, 0), new Scalar(255, 0, 0, 0), new Scalar(0, 0, 0, 0),
    };
    private static final Scalar SWEEP_BAND = new Scalar(40, 40, 40, 0);
    private static final Scalar SWEEP_BOX = new Scalar(0, 140, 255, 0);
    private static final Scalar TEXT_BAND = new Scalar(64, 64, 64, 0);
    private static final Scalar WHITE = new Scalar(255, 255, 255, 0);
    private static final Scalar BLACK = new Scalar(0, 0, 0, 0);
    private static final Scalar MARKER_RED = new Scalar(0, 0, 255, 0);
    private static final Scalar MARKER_GREEN = new Scalar(0, 255, 0, 0);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    /** The box crosses the frame in this many frames. */
    private static final int SWEEP_FRAMES = 90;

    private final VideoSize size;
    private final double fps;
    private final int quality;
    private Mat background;
    private CanvasPool canvases;
    private CanvasPool.Encoder encoder;
    private double textScale;
    private int textThickness;
    private long frameNumber;

    TestPatternSource(VideoSize size, double fps, int quality) {
        this.size = size;
        this.fps = fps;
        this.quality = quality;
    }

    @Override
    public void open() {
        int w = size.width();
        int h = size.height();
        background = new Mat(h, w, CV_8UC3, BLACK);
        int barsBottom = h * 3 / 5;
        for (int i = 0; i < BARS.length; i++) {
            int x0 = w * i / BARS.length;
            int x1 = w * (i + 1) / BARS.length;
            fill(background, x0, 0, x1, barsBottom, BARS[i]);
        }
        int side = TestPatternCode.markerSide(w, h);
        fill(background, side, side, 2 * side, 2 * side, MARKER_RED);
        fill(background, 3 * side, side, 4 * side, 2 * side, MARKER_GREEN);
        int bandTop = TestPatternCode.bandTop(h);
        fill(background, 0, barsBottom, w, bandTop, SWEEP_BAND);
        fill(background, 0, bandTop, w, h, TEXT_BAND);
        canvases = new CanvasPool(w, h);
        encoder = new CanvasPool.Encoder(quality);
        fitText(w, h - bandTop);
    }

    /** Picks a font scale so that the longest caption fits left of the code and within the band. */
    private void fitText(int width, int bandHeight) {
        int cell = TestPatternCode.cell(width);
        int room = TestPatternCode.left(width) - 2 * cell;
        textThickness = Math.max(1, bandHeight / 40);
        try (IntPointer baseline = new IntPointer(1);
                Size unit = getTextSize(caption(99_999_999L, 0), FONT_HERSHEY_SIMPLEX, 1.0, textThickness, baseline)) {
            textScale = Math.max(0.3, Math.min(room / (double) unit.width(), bandHeight * 0.45 / unit.height()));
        }
    }

    private static String caption(long frame, long epochMillis) {
        return "#" + frame + "  " + CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }

    @Override
    public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
        try (Image image = grabImage()) {
            return encoder.encode(image, alloc);
        }
    }

    /** Draws the next frame into a canvas of the pool; the caller closes it. */
    @Override
    public Image grabImage() {
        CanvasPool.Canvas image = canvases.take();
        try {
            draw(image.mat());
            return image;
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }

    @Override
    public Encoder newEncoder() {
        return new CanvasPool.Encoder(quality);
    }

    private void draw(Mat canvas) {
        long frame = ++frameNumber;
        int w = size.width();
        int h = size.height();
        background.copyTo(canvas);

        int sweepTop = h * 3 / 5;
        int sweepBottom = TestPatternCode.bandTop(h);
        int box = Math.max(8, (sweepBottom - sweepTop) * 3 / 4);
        int x = (int) ((w - box) * (frame % SWEEP_FRAMES) / (SWEEP_FRAMES - 1));
        int y = sweepTop + (sweepBottom - sweepTop - box) / 2;
        fill(canvas, x, y, x + box, y + box, SWEEP_BOX);

        int cell = TestPatternCode.cell(w);
        int bandHeight = h - sweepBottom;
        try (Point origin = new Point(cell, sweepBottom + bandHeight / 2 + bandHeight / 6)) {
            putText(canvas, caption(frame, System.currentTimeMillis()), origin, FONT_HERSHEY_SIMPLEX, textScale,
                    WHITE, textThickness, LINE_AA, false);
        }
        drawCode(canvas, frame, w, h);
    }

    private static void drawCode(Mat canvas, long frame, int w, int h) {
        int cell = TestPatternCode.cell(w);
        int left = TestPatternCode.left(w);
        int top = TestPatternCode.top(w, h);
        for (int bit = 0; bit < TestPatternCode.BITS; bit++) {
            boolean one = ((frame >>> (TestPatternCode.BITS - 1 - bit)) & 1) != 0;
            int cx = left + (bit % TestPatternCode.PER_ROW) * cell;
            int cy = top + (bit / TestPatternCode.PER_ROW) * cell;
            fill(canvas, cx, cy, cx + cell, cy + cell, one ? WHITE : BLACK);
        }
    }

    private static void fill(Mat mat, int x0, int y0, int x1, int y1, Scalar colour) {
        try (Rect rect = new Rect(x0, y0, x1 - x0, y1 - y0)) {
            rectangle(mat, rect, colour, -1, 8, 0);
        }
    }

    @Override
    public int width() {
        return size.width();
    }

    @Override
    public int height() {
        return size.height();
    }

    @Override
    public double pacingFps() {
        return fps;
    }

    @Override
    public long lastEncodeNanos() {
        return encoder == null ? 0 : encoder.lastEncodeNanos();
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            // Canvases still being encoded are freed when their workers close them.
            canvases.close();
            background.close();
            encoder = null;
        }
    }

    @Override
    public String toString() {
        return "test pattern " + size + " @ " + fps + " fps";
    }
}
