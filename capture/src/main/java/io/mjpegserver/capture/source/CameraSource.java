package io.mjpegserver.capture.source;

import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A V4L2 camera through FFmpeg. The camera is asked for MJPEG at the requested size and rate, and for its
 * default format when it offers no MJPEG; it paces itself.
 */
final class CameraSource implements FrameSource {

    private static final Logger log = LoggerFactory.getLogger(CameraSource.class);

    private final SourceSpec.Camera camera;
    private final VideoSize size;
    private final double fps;
    private final int quality;
    private FFmpegFrameGrabber grabber;
    private ImageEncoder encoder;

    CameraSource(SourceSpec.Camera camera, VideoSize size, double fps, int quality) {
        this.camera = camera;
        this.size = size;
        this.fps = fps;
        this.quality = quality;
    }

    @Override
    public void open() throws SourceException {
        Path device = camera.devicePath();
        if (!Files.exists(device)) {
            throw new SourceException("camera " + device + " not found: connect a camera, pick another with --device N,"
                    + " or stream the built-in test pattern with --test-pattern");
        }
        if (!Files.isReadable(device)) {
            throw new SourceException("camera " + device + " is not readable: add this user to the 'video' group"
                    + " (sudo usermod -aG video $USER) or run with access to the device");
        }
        FfmpegLog.install();
        FFmpegFrameGrabber opened;
        try {
            try {
                opened = start(device, true);
            } catch (FFmpegFrameGrabber.Exception mjpegRefused) {
                log.debug("camera {} refused MJPEG: {}", device, mjpegRefused.toString());
                opened = start(device, false);
            }
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            log.debug("FFmpeg on camera {}: {}", device, e.toString());
            throw new SourceException("camera " + device + " " + FfmpegErrors.camera(e, device.toString()), e);
        }
        grabber = opened;
        // The camera may not offer the size asked for: scale to it, so every client sees the configured size.
        boolean scale = opened.getImageWidth() != size.width() || opened.getImageHeight() != size.height();
        encoder = new ImageEncoder(quality, scale ? size : null);
    }

    private FFmpegFrameGrabber start(Path device, boolean mjpeg) throws FFmpegFrameGrabber.Exception {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(device.toString());
        g.setFormat("video4linux2");
        if (mjpeg) {
            g.setOption("input_format", "mjpeg");
        }
        g.setOption("video_size", size.toString());
        g.setOption("framerate", String.format(Locale.ROOT, "%.3f", fps));
        try {
            g.start();
            return g;
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            FileSource.closeQuietly(g);
            throw e;
        }
    }

    @Override
    public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
        try {
            Frame image = grabber.grabImage();
            if (image == null) {
                throw new SourceException("camera " + camera.devicePath() + " stopped delivering frames");
            }
            return encoder.encode(image, alloc);
        } catch (FFmpegFrameGrabber.Exception e) {
            log.debug("FFmpeg on camera {}: {}", camera.devicePath(), e.toString());
            throw new SourceException("camera " + camera.devicePath() + " "
                    + FfmpegErrors.camera(e, camera.devicePath().toString()), e);
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
        return 0;
    }

    /** The rate asked of the camera: the watchdog's idea of a frame period. */
    @Override
    public double nominalFps() {
        return fps;
    }

    @Override
    public long lastEncodeNanos() {
        return encoder == null ? 0 : encoder.lastEncodeNanos();
    }

    @Override
    public void close() {
        if (grabber != null) {
            FileSource.closeQuietly(grabber);
            grabber = null;
        }
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }

    @Override
    public String toString() {
        return "camera " + camera.devicePath();
    }
}
