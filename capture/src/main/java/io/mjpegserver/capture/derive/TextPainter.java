package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Draws white text with a dark outline, legible on any picture. Stateless. */
final class TextPainter {

    private static final Scalar WHITE = new Scalar(255, 255, 255, 0);
    private static final Scalar DARK = new Scalar(0, 0, 0, 0);

    private TextPainter() {
    }

    /**
     * Draws {@code text} on {@code image} about {@code textHeight} pixels tall (smaller if it would be wider than
     * {@code maxWidth}), its left edge at {@code x}, or its right edge there when {@code alignRight}, and its top at
     * {@code top}.
     */
    static void draw(Mat image, String text, int x, int top, double textHeight, int maxWidth, boolean alignRight) {
        int thickness = Math.max(1, (int) Math.round(textHeight / 14));
        int outline = thickness + Math.max(2, (int) Math.round(textHeight / 8));
        try (IntPointer baseline = new IntPointer(1);
                Size unit = getTextSize(text, FONT_HERSHEY_SIMPLEX, 1.0, thickness, baseline)) {
            double scale = Math.min(textHeight / unit.height(), maxWidth / (double) Math.max(1, unit.width()));
            int width = (int) Math.ceil(unit.width() * scale);
            int left = alignRight ? x - width : x;
            try (Point origin = new Point(left, top + (int) Math.round(unit.height() * scale))) {
                putText(image, text, origin, FONT_HERSHEY_SIMPLEX, scale, DARK, outline, LINE_AA, false);
                putText(image, text, origin, FONT_HERSHEY_SIMPLEX, scale, WHITE, thickness, LINE_AA, false);
            }
        }
    }
}
