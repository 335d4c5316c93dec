package io.mjpegserver.capture.source;

import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/** What the sources reading through FFmpeg share: a grabber's start and close, a packet's copy, the output size. */
final class FfmpegInput {

    private FfmpegInput() {
    }

    /** Starts {@code grabber} and returns it, which the caller then closes; closes it when it does not start. */
    static FFmpegFrameGrabber start(FFmpegFrameGrabber grabber) throws FFmpegFrameGrabber.Exception {
        try {
            grabber.start();
            return grabber;
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            closeQuietly(grabber);
            throw e;
        }
    }

    static void closeQuietly(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception | RuntimeException ignored) {
            // Closing a half-opened grabber: nothing left to report.
        }
    }

    /**
     * Copies {@code packet}'s bytes once out of FFmpeg's buffer (which the next read reuses), never per client,
     * into a frame buffer from {@code alloc} that the caller owns and releases.
     */
    static ByteBuf copy(AVPacket packet, ByteBufAllocator alloc) {
        int length = packet.size();
        ByteBuf jpeg = Frame.allocate(alloc, length);
        return jpeg.writeBytes(packet.data().position(0).limit(length).asByteBuffer());
    }

    /** The output side for an input side: even (4:2:0 JPEG wants it) and at least 16 pixels. */
    static int even(int side) {
        return Math.max(16, side & ~1);
    }
}
