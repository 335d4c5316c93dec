package io.mjpegserver.capture.encode;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.mjpegserver.capture.PooledSource;
import io.mjpegserver.capture.SourceException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * BGR images of one size for a {@link PooledSource} to draw into and its encoder workers to encode: an image
 * taken is the taker's until closed, then it is kept for the next {@link #take()}, or freed once the pool is
 * closed. So at most as many exist as are in flight at once (the capture thread's one, and one per worker).
 * Thread-safe.
 */
public final class CanvasPool implements AutoCloseable {

    private final int width;
    private final int height;
    private final ArrayDeque<Mat> free = new ArrayDeque<>();
    private boolean closed;

    public CanvasPool(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** An image to draw into, its content undefined; close it when done with. */
    public synchronized Canvas take() {
        if (closed) {
            throw new IllegalStateException("canvas pool closed");
        }
        Mat mat = free.poll();
        return new Canvas(mat != null ? mat : new Mat(height, width, CV_8UC3));
    }

    private synchronized void giveBack(Mat mat) {
        if (closed) {
            mat.close();
        } else {
            free.push(mat);
        }
    }

    /** Frees the images kept; those still taken are freed when closed. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Mat mat; (mat = free.poll()) != null;) {
            mat.close();
        }
    }

    /** One image of the pool. */
    public final class Canvas implements PooledSource.Image {

        private Mat mat;

        private Canvas(Mat mat) {
            this.mat = mat;
        }

        public Mat mat() {
            if (mat == null) {
                throw new IllegalStateException("canvas closed");
            }
            return mat;
        }

        @Override
        public void close() {
            Mat m;
            synchronized (this) {
                m = mat;
                mat = null;
            }
            if (m != null) {
                giveBack(m);
            }
        }
    }

    /** Encodes canvases with a {@link JpegEncoder} of its own; one per worker thread. */
    public static final class Encoder implements PooledSource.Encoder {

        private final JpegEncoder jpeg;

        public Encoder(int quality) {
            this.jpeg = new JpegEncoder(quality);
        }

        @Override
        public ByteBuf encode(PooledSource.Image image, ByteBufAllocator alloc) throws SourceException {
            return jpeg.encode(((Canvas) image).mat(), alloc);
        }

        @Override
        public long lastEncodeNanos() {
            return jpeg.lastEncodeNanos();
        }

        @Override
        public void close() {
            jpeg.close();
        }
    }
}
