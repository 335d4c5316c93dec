package io.mjpegserver.capture.encode;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

import io.mjpegserver.capture.SourceException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * What clients see while the source is down: a dark frame at the stream's size saying NO SIGNAL, with the
 * time (UTC) and why. Drawn by the capture watchdog, about once a second; not thread-safe.
 */
public final class NoSignalImage implements AutoCloseable {

    /** The background, BGR; a test can tell these frames from live ones by it. */
    public static final int BACKGROUND_LEVEL = 24;
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final int width;
    private final int height;
    private final Mat canvas;
    private final JpegEncoder encoder;

    public NoSignalImage(int width, int height, int quality) {
        this.width = width;
        this.height = height;
        this.canvas = new Mat(height, width, CV_8UC3);
        this.encoder = new JpegEncoder(quality);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Renders the frame for {@code epochMillis} and {@code reason}; the caller owns the returned JPEG. */
    public ByteBuf render(long epochMillis, String reason, ByteBufAllocator alloc) throws SourceException {
        try (Scalar background = new Scalar(BACKGROUND_LEVEL, BACKGROUND_LEVEL, BACKGROUND_LEVEL, 0)) {
            canvas.put(background);
        }
        centred("NO SIGNAL", height * 0.45, height / 8.0, new Scalar(255, 255, 255, 0));
        centred(CLOCK.format(Instant.ofEpochMilli(epochMillis)), height * 0.62, height / 20.0, new Scalar(200, 200, 200, 0));
        if (reason != null && !reason.isEmpty()) {
            String shown = reason.length() > 90 ? reason.substring(0, 87) + "..." : reason;
            centred(shown, height * 0.75, height / 32.0, new Scalar(120, 160, 255, 0));
        }
        return encoder.encode(canvas, alloc);
    }

    /** Draws {@code text} centred at {@code baseline}, as tall as {@code textHeight} but never wider than the frame. */
    private void centred(String text, double baseline, double textHeight, Scalar colour) {
        int thickness = Math.max(1, (int) (textHeight / 12));
        try (IntPointer base = new IntPointer(1);
                Size unit = getTextSize(text, FONT_HERSHEY_SIMPLEX, 1.0, thickness, base)) {
            double scale = Math.min(textHeight / unit.height(), width * 0.92 / unit.width());
            int textWidth = (int) (unit.width() * scale);
            try (Point origin = new Point((width - textWidth) / 2, (int) baseline)) {
                putText(canvas, text, origin, FONT_HERSHEY_SIMPLEX, scale, colour, thickness, LINE_AA, false);
            }
        } finally {
            colour.close();
        }
    }

    @Override
    public void close() {
        encoder.close();
        canvas.close();
    }
}
