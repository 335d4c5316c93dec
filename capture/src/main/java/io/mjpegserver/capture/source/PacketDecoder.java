package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes one video stream's packets into BGR images, keeping FFmpeg's error codes (JavaCV's grabber reports every
 * read error as the end of the stream). Slice threads only: frame threads hold each picture back. Capture thread only.
 */
final class PacketDecoder implements AutoCloseable {

    /** libavcodec's {@code FF_THREAD_SLICE}, which the JavaCPP presets do not map. */
    private static final int FF_THREAD_SLICE = 2;

    private final AVCodecContext context;
    private final AVFrame frame = av_frame_alloc();
    private SwsContext sws;
    /** The decoder's own image, rewritten by each {@link #receive()}. */
    private Mat bgr;
    private PointerPointer<?> bgrPlanes;
    private IntPointer bgrStride;

    private PacketDecoder(AVCodecContext context) {
        this.context = context;
    }

    /**
     * A decoder for {@code parameters}' codec, or {@code null} when FFmpeg has none.
     *
     * @throws DecodeException when the decoder will not open (the FFmpeg error code inside)
     */
    static PacketDecoder open(AVCodecParameters parameters) throws DecodeException {
        AVCodec codec = avcodec_find_decoder(parameters.codec_id());
        if (codec == null || codec.isNull()) {
            return null;
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        int ret = avcodec_parameters_to_context(context, parameters);
        if (ret >= 0) {
            context.thread_count(0);
            context.thread_type(FF_THREAD_SLICE);
            ret = avcodec_open2(context, codec, (AVDictionary) null);
        }
        if (ret < 0) {
            avcodec_free_context(context);
            throw new DecodeException(ret);
        }
        return new PacketDecoder(context);
    }

    /**
     * Hands a packet (still the caller's: it unreferences it) to the decoder. A packet the decoder finds damaged
     * is dropped: the next key frame repairs the picture.
     *
     * @return whether the packet was taken
     */
    boolean send(AVPacket packet) throws DecodeException {
        int ret = avcodec_send_packet(context, packet);
        if (ret == AVERROR_INVALIDDATA) {
            return false;
        }
        if (ret < 0) {
            throw new DecodeException(ret);
        }
        return true;
    }

    /**
     * The next decoded picture as a BGR image owned by this decoder and valid until the next call, or {@code null}
     * when the decoder needs another packet first. Call until {@code null} before each {@link #send}.
     */
    Mat receive() throws DecodeException {
        int ret = avcodec_receive_frame(context, frame);
        if (ret == AVERROR_EAGAIN()) {
            return null;
        }
        if (ret < 0) {
            throw new DecodeException(ret);
        }
        try {
            int width = frame.width();
            int height = frame.height();
            sws = sws_getCachedContext(sws, width, height, frame.format(), width, height, AV_PIX_FMT_BGR24,
                    SWS_BILINEAR, null, null, (DoublePointer) null);
            if (sws == null || sws.isNull()) {
                throw new DecodeException(AVERROR_INVALIDDATA);
            }
            if (bgr == null || bgr.cols() != width || bgr.rows() != height) {
                closeImage();
                bgr = new Mat(height, width, CV_8UC3);
                bgrPlanes = new PointerPointer<>(1).put(bgr.data());
                bgrStride = new IntPointer(1).put((int) bgr.step());
            }
            sws_scale(sws, frame.data(), frame.linesize(), 0, height, bgrPlanes, bgrStride);
            return bgr;
        } finally {
            av_frame_unref(frame);
        }
    }

    private void closeImage() {
        if (bgr != null) {
            bgrPlanes.close();
            bgrStride.close();
            bgr.close();
            bgr = null;
        }
    }

    @Override
    public void close() {
        closeImage();
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        av_frame_free(frame);
        avcodec_free_context(context);
    }

    /** An FFmpeg decoder failure, with its error code. */
    static final class DecodeException extends Exception {
        final int code;

        DecodeException(int code) {
            super("decoder error " + code, null, false, false);
            this.code = code;
        }
    }
}
