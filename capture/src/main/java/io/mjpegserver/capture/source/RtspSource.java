package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.ImageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@code rtsp://} stream through FFmpeg's own calls ({@link RtspInput}), over TCP, with the URL's credentials:
 * MJPEG passed through, anything else decoded and encoded once. FFmpeg's one socket timeout bounds the connect,
 * each answer and each read; a server that is never silent but sends no RTSP is cut off by a deadline of
 * {@value #DEADLINE_TIMEOUTS} timeouts, or at once on an interrupt ({@link FfmpegDeadline}).
 */
final class RtspSource extends FfmpegSource {

    private static final Logger log = LoggerFactory.getLogger(RtspSource.class);
    /** The socket timeout when none is given: connect, each request, each read. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Damaged frames in a row after which the stream is given up as unreadable. */
    private static final int MAX_BAD_FRAMES = 100;
    /** The open as a whole, and each grab, end after this many socket timeouts, whatever bytes arrive. */
    static final int DEADLINE_TIMEOUTS = 3;

    private final SourceSpec.Url url;
    private final Duration timeout;
    private RtspInput input;
    private AVPacket packet;
    private PacketDecoder decoder;
    private int videoStream;
    private volatile double nominalFps;

    /**
     * @param size    the output size, or {@code null} for the stream's own
     * @param fps     the rate to expect when the stream does not say ({@code 0}: {@link CaptureConfig#DEFAULT_FPS})
     * @param timeout the socket timeout: connect, each request, each read
     */
    RtspSource(SourceSpec.Url url, VideoSize size, double fps, int quality, Duration timeout) {
        super(size, fps, quality);
        if (!url.rtsp()) {
            throw new IllegalArgumentException("url: " + url.describe() + " (expected: rtsp://)");
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: at least 1 ms)");
        }
        this.url = url;
        this.timeout = timeout;
    }

    @Override
    public void open() throws SourceException {
        FfmpegLog.install();
        RtspInput opened = connect(true);
        if (opened.videoStream() >= 0 && opened.width() <= 0) {
            // The first packets did not say the picture's size (no SPS in the SDP, joined between key frames):
            // once more, letting FFmpeg read as far as it likes.
            log.debug("{}: no picture size in the first packets, probing further", this);
            opened.close();
            opened = connect(false);
        }
        input = opened;
        try {
            start(opened);
        } catch (SourceException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Connects and reads the stream's description.
     *
     * @param quickProbe stop reading ahead once the codecs are known: FFmpeg's default 5 MB probe holds the first
     *                   frame back (650 ms rather than 180 ms at 15 fps); what was read ahead is not lost
     */
    private RtspInput connect(boolean quickProbe) throws SourceException {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("rtsp_transport", "tcp");
        // Microseconds; bounds the connect, each answer and each read (stimeout or rw_timeout would let an open hang).
        options.put("timeout", Long.toString(timeout.toNanos() / 1000));
        // Audio would only be set up, carried and thrown away.
        options.put("allowed_media_types", "video");
        // The rate comes from the SDP when the server gives it; measuring it would hold the first frame back
        // by 20 frames (over a second at 15 fps).
        options.put("fpsprobesize", "0");
        if (quickProbe) {
            options.put("probesize", "32");
        }
        long started = System.nanoTime();
        try {
            return RtspInput.open(url.uri().toString(), options, started + deadlineNanos());
        } catch (RtspInput.OpenFailure e) {
            log.debug("FFmpeg on {}: error {}", url.describe(), e.code);
            if (e.deadlinePassed) {
                throw new SourceException(this + " " + FfmpegErrors.rtspOpenDeadline(deadline()), e);
            }
            if (e.code == AVERROR_EXIT) {
                throw new SourceException(this + " was not opened: the capture stopped", e);
            }
            boolean waited = System.nanoTime() - started >= timeout.toNanos();
            throw new SourceException(this + " " + FfmpegErrors.rtspOpen(e.code, timeout, waited), e);
        }
    }

    private Duration deadline() {
        return timeout.multipliedBy(DEADLINE_TIMEOUTS);
    }

    private long deadlineNanos() {
        return deadline().toNanos();
    }

    private void start(RtspInput opened) throws SourceException {
        videoStream = opened.videoStream();
        if (videoStream < 0 || opened.width() <= 0) {
            throw new SourceException(this + " has no video we can read: check that the URL names a video stream");
        }
        outputSize(opened.width(), opened.height());
        int width = width();
        int height = height();
        double own = opened.frameRate();
        nominalFps = own >= 0.1 && own <= CaptureConfig.MAX_FPS ? own : fps != 0 ? fps : CaptureConfig.DEFAULT_FPS;
        passThrough = opened.codec() == AV_CODEC_ID_MJPEG && width == opened.width() && height == opened.height();
        packet = av_packet_alloc();
        if (!passThrough) {
            try {
                decoder = PacketDecoder.open(opened.video());
            } catch (PacketDecoder.DecodeException e) {
                throw new SourceException(this + " " + FfmpegErrors.rtspRead(e.code, timeout), e);
            }
            if (decoder == null) {
                throw new SourceException(this + " sends video in a codec we cannot decode ("
                        + opened.codecName() + "): set the camera's stream to H.264, H.265 or MJPEG");
            }
            // Every picture is scaled to the size opened with, should the stream change its size later.
            encoder = new ImageEncoder(quality, new VideoSize(width, height));
        }
    }

    /** The next picture of the stream as a JPEG; the caller owns (and releases) the returned buffer. */
    @Override
    public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
        encodeNanos = 0;
        int bad = 0;
        long deadline = System.nanoTime() + deadlineNanos();
        try {
            for (;;) {
                if (decoder != null) {
                    Mat image = decoder.receive();
                    if (image != null) {
                        ByteBuf jpeg = encoder.encode(image, alloc);
                        encodeNanos = encoder.lastEncodeNanos();
                        return jpeg;
                    }
                }
                int ret = input.read(packet, deadline);
                if (ret == AVERROR_EXIT && RtspInput.deadlinePassed(deadline)) {
                    throw new SourceException(this + " " + FfmpegErrors.rtspNoPicture(deadline()));
                }
                if (ret < 0) {
                    throw new SourceException(this + " " + FfmpegErrors.rtspRead(ret, timeout));
                }
                try {
                    if (packet.stream_index() != videoStream) {
                        continue;
                    }
                    if (passThrough) {
                        ByteBuf jpeg = jpeg(packet, alloc);
                        if (jpeg != null) {
                            return jpeg;
                        }
                        bad++;
                    } else if (!decoder.send(packet)) {
                        bad++;
                    } else {
                        bad = 0;
                    }
                } finally {
                    av_packet_unref(packet);
                }
                if (bad >= MAX_BAD_FRAMES) {
                    throw new SourceException(this + " sends only damaged frames: check the camera's video settings");
                }
            }
        } catch (PacketDecoder.DecodeException e) {
            throw new SourceException(this + " " + FfmpegErrors.rtspRead(e.code, timeout), e);
        }
    }

    /**
     * The packet's JPEG, copied once out of FFmpeg's buffer (which the next read reuses) into a buffer from
     * {@code alloc} that the caller owns; {@code null} for a packet that is not a whole JPEG.
     */
    private ByteBuf jpeg(AVPacket packet, ByteBufAllocator alloc) {
        int length = packet.size();
        if (length < 4) {
            return null;
        }
        ByteBuf jpeg = FfmpegInput.copy(packet, alloc);
        int start = jpeg.readerIndex();
        if (jpeg.getUnsignedShort(start) == 0xFFD8 && jpeg.getUnsignedShort(start + length - 2) == 0xFFD9) {
            return jpeg;
        }
        log.debug("{} sent a packet that is not a whole JPEG ({} bytes): dropped", this, length);
        jpeg.release();
        return null;
    }

    /** The stream paces itself: a grab blocks until the next picture arrives. */
    @Override
    public double pacingFps() {
        return 0;
    }

    /** The stream's rate (from its SDP), else the configured one. Valid after {@link #open()}. */
    @Override
    public double nominalFps() {
        return nominalFps;
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
            decoder = null;
        }
        closeEncoder();
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (input != null) {
            // Sends TEARDOWN without waiting for the answer: a stalled server cannot hold the close.
            input.close();
            input = null;
        }
    }

    /** The URL without its password. */
    @Override
    public String toString() {
        return "rtsp stream " + url.describe();
    }
}
