package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.ImageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A V4L2 camera through FFmpeg, asked for MJPEG at the requested size and rate (its default format when it offers
 * no MJPEG); it paces itself. A size or rate it lacks becomes the nearest it offers (the driver's choice), served
 * as is. MJPEG is passed through untouched (no decode, no encode: the capture's JPEG stage checks it); any other
 * format is decoded and encoded.
 */
final class CameraSource extends FfmpegSource {

    private static final Logger log = LoggerFactory.getLogger(CameraSource.class);

    private final SourceSpec.Camera camera;
    private FFmpegFrameGrabber grabber;
    /** The rate the camera agreed to once open; 0 before. */
    private double deliveredFps;
    /** The controls as the camera holds them after the last open; read by {@code /state}. */
    private volatile Map<String, Integer> controls = Map.of();
    /** Whether an open has succeeded: a control refused then is the user's mistake; at a reopen, a warning. */
    private boolean openedOnce;

    /**
     * @param size the size asked of the camera, and the output size (known before open)
     * @param fps  the rate asked of the camera, and the watchdog's idea of a frame period
     */
    CameraSource(SourceSpec.Camera camera, VideoSize size, double fps, int quality) {
        super(size, fps, quality);
        this.camera = camera;
        servedSize(size.width(), size.height()); // the size asked for, until the camera says what it gives
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
        IOException controlsUnset = setControls(device);
        FfmpegLog.install();
        FFmpegFrameGrabber opened;
        try {
            try {
                opened = start(device, true);
            } catch (FFmpegFrameGrabber.Exception mjpegRefused) {
                if (!FfmpegErrors.busyOrForbidden(mjpegRefused)) {
                    refuseMetadataNode(device);
                }
                if (FfmpegErrors.cameraUnavailable(mjpegRefused)) {
                    // Busy, forbidden or gone: asking again without MJPEG would only load OpenCV for nothing.
                    throw mjpegRefused;
                }
                log.debug("camera {} refused MJPEG: {}", device, mjpegRefused.toString());
                // Its frames will be encoded: OpenCV loads on another core while the camera opens again.
                Natives.preloadInBackground();
                opened = start(device, false);
            }
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            throw failure(e);
        }
        grabber = opened;
        if (controlsUnset != null) {
            String message = "camera " + device + ": its controls could not be set: " + controlsUnset.getMessage();
            if (!openedOnce) {
                close();
                throw new SourceException(message, controlsUnset);
            }
            log.warn(message);
        }
        openedOnce = true;
        VideoSize delivered = new VideoSize(opened.getImageWidth(), opened.getImageHeight());
        servedSize(delivered.width(), delivered.height());
        deliveredFps = opened.getFrameRate() > 0 ? opened.getFrameRate() : fps;
        passThrough = passesThrough(opened.getVideoCodec());
        log.debug("camera {}: codec {}, {} at {} fps, {}", device, opened.getVideoCodec(), delivered, deliveredFps,
                passThrough ? "passed through" : "decoded and encoded");
        if (!delivered.equals(size) || Math.abs(deliveredFps - fps) > fps / 200) {
            log.info("camera {} does not offer {} at {} fps: it gives {} at {} fps, the nearest it offers", device,
                    size, figure(fps), delivered, figure(deliveredFps));
        }
        // A camera passed through has no encoder, and so loads no OpenCV.
        encoder = passThrough ? null : new ImageEncoder(quality, null);
    }

    /**
     * Sets the feed's controls and keeps what the camera reads back, before FFmpeg opens it (a camera keeps its
     * controls until unplugged). One it lacks or a value it does not take stops the start; at a reopen it is logged
     * and the feed goes on. Any other failure is returned, for FFmpeg's open to say first what is wrong.
     */
    private IOException setControls(Path device) throws SourceException {
        if (camera.controls().isEmpty()) {
            return null;
        }
        try {
            controls = Collections.unmodifiableMap(V4l2.setControls(device, camera.controls()));
            log.debug("camera {}: controls {}", device, controls);
        } catch (V4l2.ControlException e) {
            if (!openedOnce) {
                throw SourceException.badSetting(e.getMessage());
            }
            log.warn("camera {}: its controls could not be set again: {}", device, e.getMessage());
        } catch (IOException e) {
            log.debug("camera {}: controls: {}", device, e.toString());
            return e;
        }
        return null;
    }

    @Override
    public Map<String, Integer> controls() {
        return controls;
    }

    /**
     * A camera's metadata node (uvcvideo makes one beside each capture node) opens and never gives a frame: asked of
     * V4L2 when FFmpeg could not start, and refused with the capture node of the same camera to use instead.
     */
    private static void refuseMetadataNode(Path device) throws SourceException {
        V4l2.Capability cap;
        try {
            cap = V4l2.capability(device);
        } catch (IOException e) {
            log.debug("camera {}: {}", device, e.toString());
            return;
        }
        if (cap.metadataOnly()) {
            throw new SourceException("camera " + device + " is the metadata node of " + cap.card() + ", which gives no"
                    + " video: " + V4l2.captureNodeOf(cap).map(node -> "use --device " + node + ", its capture node")
                            .orElse("use its capture node (v4l2-ctl --list-devices lists them)"));
        }
    }

    private static String figure(double fps) {
        return fps == Math.rint(fps) ? Long.toString((long) fps) : String.format(Locale.ROOT, "%.2f", fps);
    }

    /** Whether a camera delivering {@code codec} is passed through: MJPEG is, any other format is encoded. */
    static boolean passesThrough(int codec) {
        return codec == AV_CODEC_ID_MJPEG;
    }

    private FFmpegFrameGrabber start(Path device, boolean mjpeg) throws FFmpegFrameGrabber.Exception {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(device.toString());
        g.setFormat("video4linux2");
        if (mjpeg) {
            g.setOption("input_format", "mjpeg");
        }
        g.setOption("video_size", size.toString());
        g.setOption("framerate", String.format(Locale.ROOT, "%.3f", fps));
        return FfmpegInput.start(g);
    }

    /** The next frame, in a buffer from {@code alloc} that the caller owns and releases. */
    @Override
    public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
        encodeNanos = 0;
        try {
            if (passThrough) {
                return packet(alloc);
            }
            Frame image = grabber.grabImage();
            if (image == null) {
                throw new SourceException("camera " + camera.devicePath() + " stopped delivering frames");
            }
            ByteBuf jpeg = encoder.encode(image, alloc);
            encodeNanos = encoder.lastEncodeNanos();
            return jpeg;
        } catch (FFmpegFrameGrabber.Exception e) {
            throw failure(e);
        }
    }

    /** The library's detail goes to the debug log; the user gets our words. */
    private SourceException failure(Exception e) {
        Path device = camera.devicePath();
        log.debug("FFmpeg on camera {}: {}", device, e.toString());
        return new SourceException("camera " + device + " " + FfmpegErrors.camera(e, device.toString()), e);
    }

    /** The camera's next JPEG, copied out of FFmpeg's buffer; the caller owns (and releases) it. */
    private ByteBuf packet(ByteBufAllocator alloc) throws FFmpegFrameGrabber.Exception, SourceException {
        for (;;) {
            AVPacket packet = grabber.grabPacket();
            if (packet == null) {
                throw new SourceException("camera " + camera.devicePath() + " stopped delivering frames");
            }
            // The packet's data is ours to drop (see FileFrames): the next read does not.
            try {
                int length = packet.size();
                if (packet.stream_index() != grabber.getVideoStream() || length < 4) {
                    continue;
                }
                return FfmpegInput.copy(packet, alloc);
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    @Override
    public double pacingFps() {
        return 0;
    }

    /** The rate the camera agreed to (the one asked, before it opens): the watchdog's idea of a frame period. */
    @Override
    public double nominalFps() {
        return deliveredFps > 0 ? deliveredFps : fps;
    }

    /** An unplugged camera is missing at once ({@link #open}'s first check): it is looked for again often. */
    @Override
    public boolean cheapToReopen() {
        return true;
    }

    @Override
    public void close() {
        if (grabber != null) {
            FfmpegInput.closeQuietly(grabber);
            grabber = null;
        }
        closeEncoder();
        passThrough = false;
        servedSize(size.width(), size.height());
        deliveredFps = 0;
    }

    @Override
    public String toString() {
        return "camera " + camera.devicePath();
    }
}
