package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;

import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * A video file FFmpeg can read, looped forever. An MJPEG-coded file whose size is kept is passed through:
 * its JPEG packets are streamed as they are, with no decode and no encode.
 */
final class FileSource implements FrameSource {

    private final Path path;
    private final VideoSize size;
    private final double fps;
    private final int quality;
    private FFmpegFrameGrabber grabber;
    private ImageEncoder encoder;
    private boolean passThrough;
    private int width;
    private int height;
    private double pacingFps;

    /**
     * @param size the output size, or {@code null} for the file's own
     * @param fps  the output rate, or {@code 0} for the file's own
     */
    FileSource(Path path, VideoSize size, double fps, int quality) {
        this.path = path;
        this.size = size;
        this.fps = fps;
        this.quality = quality;
    }

    @Override
    public void open() throws SourceException {
        if (!Files.exists(path)) {
            throw new SourceException("video file " + path + " not found: check the path given to --file");
        }
        if (!Files.isRegularFile(path)) {
            throw new SourceException("video file " + path + " is not a regular file: give --file a video file");
        }
        if (!Files.isReadable(path)) {
            throw new SourceException("video file " + path + " is not readable: check its permissions");
        }
        FFmpegFrameGrabber opened = new FFmpegFrameGrabber(path.toFile());
        // We say what went wrong in one line; FFmpeg's own lines about it would only repeat it.
        NativeLogs.silent();
        try {
            opened.start();
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            closeQuietly(opened);
            throw new SourceException("video file " + path + " cannot be read by FFmpeg (" + e.getMessage()
                    + "): give --file a video file", e);
        } finally {
            NativeLogs.errorsOnly();
        }
        if (opened.getVideoStream() < 0 || opened.getImageWidth() <= 0) {
            closeQuietly(opened);
            throw new SourceException("video file " + path + " has no video stream");
        }
        grabber = opened;
        width = size != null ? size.width() : even(opened.getImageWidth());
        height = size != null ? size.height() : even(opened.getImageHeight());
        double own = opened.getFrameRate();
        pacingFps = fps != 0 ? fps : (own >= 0.1 && own <= 240 ? own : 30);
        passThrough = opened.getVideoCodec() == AV_CODEC_ID_MJPEG
                && width == opened.getImageWidth() && height == opened.getImageHeight();
        // Scale only when asked to, or when the file's size is odd (4:2:0 JPEG wants even sides).
        boolean scale = width != opened.getImageWidth() || height != opened.getImageHeight();
        encoder = new ImageEncoder(quality, scale ? new VideoSize(width, height) : null);
    }

    private static int even(int side) {
        return Math.max(16, side & ~1);
    }

    @Override
    public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
        try {
            return passThrough ? nextPacket(alloc) : nextImage(alloc);
        } catch (FFmpegFrameGrabber.Exception e) {
            throw new SourceException("video file " + path + ": " + e.getMessage(), e);
        }
    }

    private ByteBuf nextImage(ByteBufAllocator alloc) throws FFmpegFrameGrabber.Exception, SourceException {
        Frame image = grabber.grabImage();
        if (image == null) {
            rewind();
            image = grabber.grabImage();
            if (image == null) {
                throw new SourceException("video file " + path + " has no decodable video frames");
            }
        }
        return encoder.encode(image, alloc);
    }

    private ByteBuf nextPacket(ByteBufAllocator alloc) throws FFmpegFrameGrabber.Exception, SourceException {
        boolean rewound = false;
        for (;;) {
            AVPacket packet = grabber.grabPacket();
            if (packet == null) {
                if (rewound) {
                    throw new SourceException("video file " + path + " has no video packets");
                }
                rewind();
                rewound = true;
                continue;
            }
            if (packet.stream_index() != grabber.getVideoStream() || packet.size() < 4) {
                continue;
            }
            // Copied once per frame out of FFmpeg's packet (which the next grabPacket reuses), never per client.
            int length = packet.size();
            ByteBuf jpeg = alloc.directBuffer(length, length);
            jpeg.writeBytes(packet.data().position(0).limit(length).asByteBuffer());
            if (jpeg.getUnsignedShort(0) != 0xFFD8) {
                jpeg.release();
                throw new SourceException("video file " + path + " holds an MJPEG packet that is not a JPEG");
            }
            return jpeg;
        }
    }

    private void rewind() throws FFmpegFrameGrabber.Exception {
        grabber.setTimestamp(0L);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public double pacingFps() {
        return pacingFps;
    }

    /** Whether JPEG packets go out as the file has them. Valid after {@link #open()}. */
    boolean passThrough() {
        return passThrough;
    }

    @Override
    public boolean passesThrough() {
        return passThrough;
    }

    @Override
    public long lastEncodeNanos() {
        return passThrough || encoder == null ? 0 : encoder.lastEncodeNanos();
    }

    @Override
    public void close() {
        if (grabber != null) {
            closeQuietly(grabber);
            grabber = null;
        }
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }

    static void closeQuietly(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (org.bytedeco.javacv.FrameGrabber.Exception | RuntimeException ignored) {
            // Closing a half-opened grabber: nothing left to report.
        }
    }

    @Override
    public String toString() {
        return "file " + path;
    }
}
