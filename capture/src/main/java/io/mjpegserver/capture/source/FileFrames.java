package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BYTE;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.encode.ImageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * The frames of an opened file in order, each with its playback time, counted on across loops; frames not on
 * screen at the asked time and JPEGs cut short are skipped unencoded. A file FFmpeg cannot seek by time rewinds
 * to its first byte. Capture thread only.
 */
final class FileFrames {

    private static final long NONE = Long.MIN_VALUE;
    /** JPEGs cut short in a row, with no whole one between, after which the file is damaged rather than cut at its end. */
    private static final int MAX_CUT_SHORT_RUN = 100;

    private final FFmpegFrameGrabber grabber;
    private final Path path;
    private final boolean passThrough;
    private final long frameMicros;
    private final long timeBaseNum;
    private final long timeBaseDen;
    private long loopStartMicros;
    private long firstRaw = NONE;
    private long lastRaw;
    private long readInLoop;
    private long lastMicros;
    private int cutShortRun;

    /**
     * @param passThrough read JPEG packets as they are, rather than decoded images
     * @param ownFps      the file's frame rate: how long a frame stays on screen, and the time of frames with no stamp
     */
    FileFrames(FFmpegFrameGrabber grabber, Path path, boolean passThrough, double ownFps) {
        this.grabber = grabber;
        this.path = path;
        this.passThrough = passThrough;
        this.frameMicros = Math.max(1, Math.round(1e6 / ownFps));
        AVRational timeBase = grabber.getFormatContext().streams(grabber.getVideoStream()).time_base();
        this.timeBaseNum = timeBase.num();
        this.timeBaseDen = timeBase.den();
    }

    /**
     * Whether a frame at playback time {@code micros} is still on screen at {@code at}: it shows for one frame
     * period, less an eighth so that stamps rounded a microsecond late do not hold a frame one output too long.
     */
    boolean shows(long micros, long at) {
        return micros + frameMicros - frameMicros / 8 > at;
    }

    /** The playback time of the frame {@link #next} returned last. */
    long lastMicros() {
        return lastMicros;
    }

    /**
     * Reads on to the frame on screen at {@code playbackMicros} and returns it as a JPEG, in a buffer from
     * {@code alloc} that the caller owns and releases.
     */
    ByteBuf next(ImageEncoder encoder, ByteBufAllocator alloc, long playbackMicros)
            throws FFmpegFrameGrabber.Exception, SourceException {
        for (;;) {
            if (passThrough) {
                AVPacket packet = grabber.grabPacket();
                if (packet == null) {
                    rewind();
                    continue;
                }
                // grabPacket hands over FFmpeg's reference to the packet's data, which the next read does not drop:
                // without the unref, every packet read stays in the native heap (a frame's size, 30 times a second).
                try {
                    if (packet.stream_index() != grabber.getVideoStream() || packet.size() < 4) {
                        continue;
                    }
                    if (endOfImage(packet) < 0) {
                        // Cut short: not a frame, and no time on screen.
                        if (++cutShortRun > MAX_CUT_SHORT_RUN) {
                            throw new SourceException("video file " + path + " holds JPEGs cut short: it may be damaged");
                        }
                        continue;
                    }
                    cutShortRun = 0;
                    long raw = packet.pts() != AV_NOPTS_VALUE ? packet.pts() : packet.dts();
                    long micros = playbackTime(raw == AV_NOPTS_VALUE ? NONE : raw * 1_000_000L * timeBaseNum / timeBaseDen);
                    if (shows(micros, playbackMicros)) {
                        return copy(packet, alloc);
                    }
                } finally {
                    av_packet_unref(packet);
                }
            } else {
                Frame image = grabber.grabImage();
                if (image == null) {
                    rewind();
                    continue;
                }
                long micros = playbackTime(image.timestamp);
                if (shows(micros, playbackMicros)) {
                    return encoder.encode(image, alloc);
                }
            }
        }
    }

    /** The playback time of a frame stamped {@code raw} microseconds in the file ({@link #NONE}: unstamped). */
    private long playbackTime(long raw) {
        if (raw == NONE) {
            raw = firstRaw == NONE ? 0 : firstRaw + readInLoop * frameMicros;
        }
        if (firstRaw == NONE) {
            firstRaw = raw;
        }
        lastRaw = Math.max(lastRaw, raw);
        readInLoop++;
        lastMicros = loopStartMicros + Math.max(0, raw - firstRaw);
        return lastMicros;
    }

    /** At the end of the file: back to its start, its playback time going on from where this pass ended. */
    private void rewind() throws FFmpegFrameGrabber.Exception, SourceException {
        if (readInLoop == 0) {
            throw new SourceException("video file " + path + " has no " + (passThrough ? "video" : "decodable video")
                    + " frames: give --file a video or an image");
        }
        loopStartMicros += Math.max(0, lastRaw - firstRaw) + frameMicros;
        firstRaw = NONE;
        lastRaw = NONE;
        readInLoop = 0;
        try {
            grabber.setTimestamp(0L);
        } catch (FFmpegFrameGrabber.Exception e) {
            // No index and no timestamps to seek by (FFmpeg's mpjpeg, for one): back to the first byte.
            int code = av_seek_frame(grabber.getFormatContext(), -1, 0, AVSEEK_FLAG_BYTE);
            if (code < 0) {
                throw new SourceException("video file " + path + " cannot be played again from its start (FFmpeg"
                        + " cannot seek in it): convert it, e.g. ffmpeg -i " + path.getFileName() + " -c copy clip.avi", e);
            }
        }
    }

    /** The offset of the last end-of-image marker in {@code packet}, or -1 when it has none (cut short). */
    private static int endOfImage(AVPacket packet) {
        java.nio.ByteBuffer bytes = packet.data().position(0).limit(packet.size()).asByteBuffer();
        for (int end = bytes.limit() - 2; end >= 2; end--) {
            if (bytes.get(end) == (byte) 0xFF && bytes.get(end + 1) == (byte) 0xD9) {
                return end;
            }
        }
        return -1;
    }

    /** Copies a JPEG packet once per frame out of FFmpeg's buffer (which the next read reuses), never per client. */
    private ByteBuf copy(AVPacket packet, ByteBufAllocator alloc) throws SourceException {
        int length = packet.size();
        ByteBuf jpeg = FfmpegInput.copy(packet, alloc);
        int start = jpeg.readerIndex();
        if (jpeg.getUnsignedShort(start) != 0xFFD8) {
            jpeg.release();
            throw new SourceException("video file " + path + " holds a picture that is not a JPEG: it may be damaged");
        }
        // Some writers leave bytes after the end-of-image marker: a client wants the JPEG alone.
        for (int end = start + length - 2; end >= start + 2; end--) {
            if (jpeg.getUnsignedShort(end) == 0xFFD9) {
                jpeg.writerIndex(end + 2);
                return jpeg;
            }
        }
        jpeg.release();
        throw new SourceException("video file " + path + " holds a JPEG cut short: it may be damaged");
    }
}
