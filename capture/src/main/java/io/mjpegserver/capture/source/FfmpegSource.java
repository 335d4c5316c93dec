package io.mjpegserver.capture.source;

import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.ImageEncoder;

/**
 * A source read through FFmpeg (camera, file, RTSP stream): what it was asked for, what it learns at open (its
 * output size, whether its JPEGs pass through untouched) and the encoder of the pictures that do not.
 */
abstract class FfmpegSource implements FrameSource {

    /** The output size asked for, or {@code null} for the input's own. */
    final VideoSize size;
    /** The rate asked for; what it means is the source's own (see each constructor). */
    final double fps;
    final int quality;
    /** Encodes the pictures that are not passed through; {@code null} when closed or passing through. */
    ImageEncoder encoder;
    /** Whether the input's JPEGs are sent as they come; set at open. */
    boolean passThrough;
    /** How long the last grab's encode took; 0 when it encoded nothing. Set by each grab. */
    long encodeNanos;
    private int width;
    private int height;

    FfmpegSource(VideoSize size, double fps, int quality) {
        this.size = size;
        this.fps = fps;
        this.quality = quality;
    }

    /** Sets the output size: the one asked for, else the input's own made even (4:2:0 JPEG wants even sides). */
    final void outputSize(int inputWidth, int inputHeight) {
        servedSize(size != null ? size.width() : FfmpegInput.even(inputWidth),
                size != null ? size.height() : FfmpegInput.even(inputHeight));
    }

    /** Sets the output size as it is, for a source that serves what its input gives (a camera's nearest size). */
    final void servedSize(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** Closes the encoder, if any; the subclass's {@link #close()} frees the rest. */
    final void closeEncoder() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }

    @Override
    public final int width() {
        return width;
    }

    @Override
    public final int height() {
        return height;
    }

    @Override
    public final boolean passesThrough() {
        return passThrough;
    }

    @Override
    public final long lastEncodeNanos() {
        return encodeNanos;
    }
}
