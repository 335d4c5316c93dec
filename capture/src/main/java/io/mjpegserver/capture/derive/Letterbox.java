package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.mjpegserver.capture.encode.NoSignalImage;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Fits a picture into a box of another aspect, whole and centred, the rest dark (the NO SIGNAL background). */
final class Letterbox {

    private Letterbox() {
    }

    /** The part of a {@code boxWidth} x {@code boxHeight} box that a {@code width} x {@code height} picture fills. */
    static Rect inner(int width, int height, int boxWidth, int boxHeight) {
        int w = boxWidth;
        int h = (int) Math.round((double) height * boxWidth / width);
        if (h > boxHeight) {
            h = boxHeight;
            w = Math.max(1, Math.min(boxWidth, (int) Math.round((double) width * boxHeight / height)));
        }
        h = Math.max(1, h);
        return new Rect((boxWidth - w) / 2, (boxHeight - h) / 2, w, h);
    }

    /** Draws {@code picture} (not changed) into {@code box}, which must have its type: fitted, centred, dark around. */
    static void fit(Mat picture, Mat box) {
        try (Rect inner = inner(picture.cols(), picture.rows(), box.cols(), box.rows())) {
            if (inner.width() != box.cols() || inner.height() != box.rows()) {
                fillDark(box);
            }
            try (Mat target = new Mat(box, inner); Size size = new Size(inner.width(), inner.height())) {
                if (picture.cols() == inner.width() && picture.rows() == inner.height()) {
                    picture.copyTo(target);
                } else {
                    resize(picture, target, size, 0, 0, INTER_AREA);
                }
            }
        }
    }

    static void fillDark(Mat image) {
        int level = NoSignalImage.BACKGROUND_LEVEL;
        try (Scalar dark = new Scalar(level, level, level, 0)) {
            image.put(dark);
        }
    }
}
