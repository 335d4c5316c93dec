package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_NONE;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.PointerPointer;

/**
 * An RTSP stream opened with FFmpeg's own calls, each bounded by a deadline ({@link FfmpegDeadline}). Not through
 * JavaCV's grabber: its {@code start()} and {@code close()} hold a lock every grabber in the process shares (on
 * {@code avcodec.class}), which one camera's open across the network would hold for every other feed, and it
 * offers no way to set the interrupt callback before the open. Capture thread only.
 */
final class RtspInput implements AutoCloseable {

    /** How long a close may take to send its TEARDOWN: the answer is never waited for. */
    private static final long CLOSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Why an open failed: FFmpeg's error code, and whether it was our deadline that ended it. */
    static final class OpenFailure extends Exception {
        final int code;
        final boolean deadlinePassed;

        OpenFailure(int code, boolean deadlinePassed) {
            super("FFmpeg error " + code + (deadlinePassed ? " at the open's deadline" : ""), null, false, false);
            this.code = code;
            this.deadlinePassed = deadlinePassed;
        }
    }

    private AVFormatContext context;
    private final int videoStream;

    private RtspInput(AVFormatContext context, int videoStream) {
        this.context = context;
        this.videoStream = videoStream;
    }

    /**
     * Connects to {@code url} with FFmpeg's RTSP demuxer and {@code options}, and reads what the streams are; gives
     * up at {@code deadlineNanos} ({@link System#nanoTime()}) or when this thread is interrupted.
     */
    static RtspInput open(String url, Map<String, String> options, long deadlineNanos) throws OpenFailure {
        AVFormatContext context = avformat_alloc_context();
        if (context == null || context.isNull()) {
            throw new OpenFailure(-12, false);
        }
        FfmpegDeadline.install(context);
        AVDictionary dictionary = new AVDictionary(null);
        options.forEach((key, value) -> av_dict_set(dictionary, key, value, 0));
        FfmpegDeadline.set(deadlineNanos);
        try {
            // On failure FFmpeg frees the context.
            int ret = avformat_open_input(context, url, av_find_input_format("rtsp"), dictionary);
            if (ret < 0) {
                throw new OpenFailure(ret, FfmpegDeadline.passed());
            }
            ret = avformat_find_stream_info(context, (PointerPointer<?>) null);
            if (ret < 0) {
                boolean passed = FfmpegDeadline.passed();
                close(context);
                throw new OpenFailure(ret, passed);
            }
            return new RtspInput(context, firstVideo(context));
        } finally {
            av_dict_free(dictionary);
            FfmpegDeadline.clear();
        }
    }

    private static int firstVideo(AVFormatContext context) {
        for (int i = 0; i < context.nb_streams(); i++) {
            AVCodecParameters parameters = context.streams(i).codecpar();
            if (parameters.codec_type() == AVMEDIA_TYPE_VIDEO && parameters.codec_id() != AV_CODEC_ID_NONE) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first video stream, or -1 when there is none. */
    int videoStream() {
        return videoStream;
    }

    AVFormatContext context() {
        return context;
    }

    /** The video stream's codec parameters; only when {@link #videoStream()} is not -1. */
    AVCodecParameters video() {
        return context.streams(videoStream).codecpar();
    }

    /** The video's width as the stream describes it, 0 when it did not say yet. */
    int width() {
        return videoStream < 0 ? 0 : video().width();
    }

    int height() {
        return videoStream < 0 ? 0 : video().height();
    }

    int codec() {
        return video().codec_id();
    }

    String codecName() {
        return avcodec_get_name(codec()).getString();
    }

    /** The video's rate as the stream says it (its SDP), or 0 when it says none. */
    double frameRate() {
        if (videoStream < 0) {
            return 0;
        }
        AVStream stream = context.streams(videoStream);
        AVRational rate = stream.avg_frame_rate();
        if (rate.num() == 0 || rate.den() == 0) {
            rate = stream.r_frame_rate();
        }
        return rate.den() == 0 ? 0 : (double) rate.num() / rate.den();
    }

    /**
     * Reads the next packet into {@code packet}, giving up at {@code deadlineNanos} or when this thread is
     * interrupted; FFmpeg's return code ({@code AVERROR_EXIT} when given up).
     */
    int read(AVPacket packet, long deadlineNanos) {
        FfmpegDeadline.set(deadlineNanos);
        try {
            return av_read_frame(context, packet);
        } finally {
            FfmpegDeadline.clear();
        }
    }

    /** Whether the last call gave up at its deadline (rather than for an interrupt, or an error of its own). */
    static boolean deadlinePassed(long deadlineNanos) {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** Sends TEARDOWN (bounded, never waiting for the answer) and frees everything. Idempotent. */
    @Override
    public void close() {
        if (context != null) {
            close(context);
            context = null;
        }
    }

    private static void close(AVFormatContext context) {
        FfmpegDeadline.set(System.nanoTime() + CLOSE_NANOS);
        try {
            avformat_close_input(context);
        } finally {
            FfmpegDeadline.clear();
        }
    }
}
