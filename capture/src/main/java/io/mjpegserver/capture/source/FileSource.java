package io.mjpegserver.capture.source;

import static io.mjpegserver.capture.source.FfmpegInput.closeQuietly;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.ImageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A video file, looped forever and played at its own speed (frames dropped or repeated to the output rate,
 * counted in output frames), or a still image read once. An MJPEG file whose size is kept is passed through.
 * {@link #grab} returns a retained duplicate of the newest JPEG, released by the caller; the source's own
 * reference is released when a newer one replaces it and at {@link #close()}.
 */
final class FileSource extends FfmpegSource {

    private static final Logger log = LoggerFactory.getLogger(FileSource.class);
    /** Default output rate for a still image. */
    static final double STILL_FPS = 1;
    /** FFmpeg's demuxer of a single JPEG, and of JPEGs back to back. */
    private static final String JPEG_PIPE = "jpeg_pipe";
    private static final String RAW_MJPEG = "mjpeg";

    private final Path path;
    private FFmpegFrameGrabber grabber;
    private FileFrames frames;
    private boolean still;
    private double pacingFps;
    /** The newest JPEG handed out; the source's own reference. */
    private ByteBuf newest;
    private long newestMicros;
    private long outputs;

    /**
     * @param size the output size, or {@code null} for the file's own
     * @param fps  the output rate, or {@code 0} for the file's own (a still's: {@link #STILL_FPS})
     */
    FileSource(Path path, VideoSize size, double fps, int quality) {
        super(size, fps, quality);
        this.path = path;
    }

    @Override
    public void open() throws SourceException {
        checkFile();
        FfmpegLog.install();
        FFmpegFrameGrabber opened = start(null);
        if (JPEG_PIPE.equals(opened.getFormat()) && holdsSeveralJpegs(opened)) {
            // A raw MJPEG stream whose first frame is larger than FFmpeg's probe read (1 MiB): it took it for one image.
            closeQuietly(opened);
            opened = start(RAW_MJPEG);
        }
        if (opened.getVideoStream() < 0 || opened.getImageWidth() <= 0) {
            closeQuietly(opened);
            throw new SourceException("video file " + path + " has no video in it: give --file a video or an image");
        }
        grabber = opened;
        outputSize(opened.getImageWidth(), opened.getImageHeight());
        int width = width();
        int height = height();
        still = isStill(opened);
        double own = opened.getFrameRate();
        double ownFps = own >= 0.1 && own <= 240 ? own : 30;
        pacingFps = fps != 0 ? fps : still ? STILL_FPS : ownFps;
        passThrough = opened.getVideoCodec() == AV_CODEC_ID_MJPEG
                && width == opened.getImageWidth() && height == opened.getImageHeight();
        // Scale only when asked to, or when the file's size is odd (4:2:0 JPEG wants even sides). A file passed
        // through has no encoder: OpenCV (and the OpenBLAS it links, most of its memory) is not even loaded for it.
        boolean scale = width != opened.getImageWidth() || height != opened.getImageHeight();
        encoder = passThrough ? null : new ImageEncoder(quality, scale ? new VideoSize(width, height) : null);
        frames = new FileFrames(opened, path, passThrough, ownFps);
        outputs = 0;
        if (still) {
            try {
                // Unpooled: the one picture lives as long as the source, and comes before any grab names an allocator.
                replaceNewest(frames.next(encoder, UnpooledByteBufAllocator.DEFAULT, 0), 0);
            } catch (FFmpegFrameGrabber.Exception e) {
                close();
                throw failure(e);
            } catch (SourceException | RuntimeException e) {
                close();
                throw e;
            }
            // Read once: the file is not needed any more.
            closeQuietly(grabber);
            grabber = null;
            frames = null;
        }
    }

    /** A started grabber on the file, in {@code format} ({@code null}: the one FFmpeg's probe finds); the caller closes it. */
    private FFmpegFrameGrabber start(String format) throws SourceException {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(path.toFile());
        if (format != null) {
            grabber.setFormat(format);
        }
        try {
            return FfmpegInput.start(grabber);
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            throw failure(e);
        }
    }

    /** Whether a file FFmpeg opened as one JPEG has a second one after it. Reads on: the caller closes the grabber. */
    private static boolean holdsSeveralJpegs(FFmpegFrameGrabber grabber) {
        try {
            for (int i = 0; i < 2; i++) {
                AVPacket packet = grabber.grabPacket();
                if (packet == null) {
                    return false;
                }
                try {
                    boolean jpeg = packet.size() >= 2 && (packet.data().get(0) & 0xFF) == 0xFF
                            && (packet.data().get(1) & 0xFF) == 0xD8;
                    if (i == 1) {
                        return jpeg;
                    }
                } finally {
                    av_packet_unref(packet);
                }
            }
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            log.debug("FFmpeg reading on in a JPEG: {}", e.toString());
        }
        return false;
    }

    private void checkFile() throws SourceException {
        if (!Files.exists(path)) {
            throw new SourceException("video file " + path + " not found: check the path given to --file");
        }
        if (!Files.isRegularFile(path)) {
            throw new SourceException("video file " + path + " is not a regular file: give --file a video file");
        }
        if (!Files.isReadable(path)) {
            throw new SourceException("video file " + path + " is not readable: check its permissions");
        }
        try {
            if (Files.size(path) == 0) {
                throw new SourceException("video file " + path + " is empty: give --file a video or an image");
            }
        } catch (IOException e) {
            throw new SourceException("video file " + path + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** FFmpeg reads still images with its image demuxers: {@code image2}, or {@code png_pipe}, {@code jpeg_pipe}... */
    private static boolean isStill(FFmpegFrameGrabber grabber) {
        String format = grabber.getFormat();
        return format != null && (format.equals("image2") || format.endsWith("_pipe"));
    }

    /** The library's detail goes to the debug log; the user gets our words. */
    private SourceException failure(Exception e) {
        log.debug("FFmpeg on {}: {}", path, e.toString());
        String words = FfmpegErrors.file(e);
        if (!Files.exists(path)) {
            words = "is gone: check the path given to --file";
        }
        return new SourceException("video file " + path + " " + words, e);
    }

    /** The newest frame due at this output frame's playback time; the caller owns (and releases) the returned buffer. */
    @Override
    public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
        encodeNanos = 0;
        if (still) {
            return newest.retainedDuplicate();
        }
        long playback = Math.round(outputs++ * 1e6 / pacingFps);
        if (newest != null && frames.shows(newestMicros, playback)) {
            return newest.retainedDuplicate();
        }
        try {
            ByteBuf jpeg = frames.next(encoder, alloc, playback);
            encodeNanos = passThrough ? 0 : encoder.lastEncodeNanos();
            replaceNewest(jpeg, frames.lastMicros());
            return newest.retainedDuplicate();
        } catch (FFmpegFrameGrabber.Exception e) {
            throw failure(e);
        }
    }

    /** Keeps {@code jpeg} (taking over the caller's reference) as the newest, releasing the one it replaces. */
    private void replaceNewest(ByteBuf jpeg, long micros) {
        if (newest != null) {
            newest.release();
        }
        newest = jpeg;
        newestMicros = micros;
    }

    @Override
    public double pacingFps() {
        return pacingFps;
    }

    @Override
    public void close() {
        if (grabber != null) {
            closeQuietly(grabber);
            grabber = null;
        }
        frames = null;
        closeEncoder();
        if (newest != null) {
            newest.release();
            newest = null;
        }
    }

    @Override
    public String toString() {
        return "file " + path;
    }
}
