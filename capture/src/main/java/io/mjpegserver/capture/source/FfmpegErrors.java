package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DECODER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DEMUXER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_HTTP_FORBIDDEN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_HTTP_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_HTTP_UNAUTHORIZED;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an FFmpeg failure means to a user, in our words. JavaCV's messages name C functions and suggest
 * calling JavaCV methods ({@code avformat_open_input() error -1094995529 ... (Has setFormat() been called?)});
 * the sources log those at debug and show these instead. Each phrase follows the source's name.
 */
final class FfmpegErrors {

    private static final Pattern CODE = Pattern.compile("error (-\\d+)");
    // errno values FFmpeg returns negated (Linux).
    private static final int EPERM = -1;
    private static final int ENOENT = -2;
    private static final int EIO = -5;
    private static final int ENXIO = -6;
    private static final int ENOMEM = -12;
    private static final int EACCES = -13;
    private static final int EBUSY = -16;
    private static final int ENODEV = -19;
    private static final int EPIPE = -32;
    private static final int ENETUNREACH = -101;
    private static final int ECONNRESET = -104;
    private static final int ETIMEDOUT = -110;
    private static final int ECONNREFUSED = -111;
    private static final int EHOSTUNREACH = -113;

    private FfmpegErrors() {
    }

    /** The FFmpeg error code in {@code e}'s message, or 0 when it has none. */
    static int code(Throwable e) {
        Matcher m = CODE.matcher(String.valueOf(e.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static boolean unsupportedCodec(Throwable e, int code) {
        String message = String.valueOf(e.getMessage());
        return code == AVERROR_DECODER_NOT_FOUND || message.contains("Unsupported video format or codec")
                || message.startsWith("avcodec_find_decoder()");
    }

    /** Why a video file could not be opened or read: follows "video file PATH". */
    static String file(Throwable e) {
        int code = code(e);
        if (unsupportedCodec(e, code)) {
            return "uses a video codec we cannot decode: convert it, e.g. to H.264 or MJPEG";
        }
        if (code == AVERROR_INVALIDDATA || code == AVERROR_DEMUXER_NOT_FOUND) {
            return "is not a video or an image in a format we can read: give --file a video (mp4, mkv, avi, ...)"
                    + " or an image (jpg, png)";
        }
        if (code == AVERROR_EOF) {
            return "ends before its first frame (cut short, or still being written): give --file a whole video";
        }
        if (code == ENOENT) {
            return "is gone: check the path given to --file";
        }
        if (code == EACCES || code == EPERM) {
            return "is not readable: check its permissions";
        }
        if (code == EIO) {
            return "cannot be read (input/output error): check the disk or the network share it is on";
        }
        if (code == ENOMEM) {
            return "cannot be read: out of memory";
        }
        return "cannot be read as a video or an image: give --file a video (mp4, mkv, avi, ...) or an image (jpg, png)";
    }

    /** Whether {@code e} says the camera cannot be opened at all (busy, forbidden, gone), whatever the format. */
    /** Whether FFmpeg could not open a camera because another program holds it or this user may not. */
    static boolean busyOrForbidden(Throwable e) {
        int code = code(e);
        return code == EBUSY || code == EACCES || code == EPERM;
    }

    static boolean cameraUnavailable(Throwable e) {
        int code = code(e);
        return code == EBUSY || code == EACCES || code == EPERM || code == ENOENT || code == ENODEV || code == ENXIO;
    }

    /** Why a camera could not be opened or read: follows "camera DEVICE". */
    static String camera(Throwable e, String device) {
        int code = code(e);
        if (code == EBUSY) {
            return "is busy: another program holds it (find it with: fuser " + device + "), or pick another with --device N";
        }
        if (code == ENOENT || code == ENODEV || code == ENXIO) {
            return "is gone (unplugged?): connect it, or pick another with --device N";
        }
        if (code == EACCES || code == EPERM) {
            return "is not readable: add this user to the 'video' group (sudo usermod -aG video $USER)";
        }
        if (code == EIO) {
            return "stopped answering (input/output error): check its cable and power";
        }
        if (unsupportedCodec(e, code)) {
            return "sends a format we cannot decode: pick another with --device N";
        }
        return "cannot be opened: check that it is a video capture device and that no other program holds it"
                + " (fuser " + device + "), or pick another with --device N";
    }

    /**
     * Why an RTSP stream could not be opened: follows "rtsp stream URL". FFmpeg's RTSP client turns the
     * server's status into {@code AVERROR_HTTP_*} codes (401, 403, 404), and a socket failure into its errno.
     *
     * @param waitedTimeout whether the open failed only after the socket timeout had passed
     */
    static String rtspOpen(int code, Duration timeout, boolean waitedTimeout) {
        if (code == AVERROR_DECODER_NOT_FOUND) {
            return "sends video in a codec we cannot decode: set the camera's stream to H.264, H.265 or MJPEG";
        }
        if (code == AVERROR_STREAM_NOT_FOUND) {
            return "has no video we can read: check that the URL names a video stream";
        }
        // A request whose answer never comes fails as "invalid data" (no status), once the timeout has passed.
        if (code == ETIMEDOUT || (waitedTimeout && code == AVERROR_INVALIDDATA)) {
            return "did not answer within " + seconds(timeout) + ": check that the camera is on and reachable"
                    + " from here, and the port in the URL (RTSP's is usually 554)";
        }
        return rtsp(code);
    }

    /**
     * An RTSP open that was still under way at its deadline: the server answers (or it would have timed out), but
     * no stream started. Follows "rtsp stream URL".
     */
    static String rtspOpenDeadline(Duration deadline) {
        return "did not start a stream within " + seconds(deadline) + ": it answers, but not as an RTSP camera should;"
                + " check that the URL has the camera's RTSP port (usually 554) and path";
    }

    /** An RTSP stream that kept the connection busy without a picture until the grab's deadline. */
    static String rtspNoPicture(Duration deadline) {
        return "sent no picture for " + seconds(deadline) + ": it sends what is not video we can read;"
                + " check the camera's stream settings";
    }

    /** Why an RTSP stream stopped while it was read: follows "rtsp stream URL". */
    static String rtspRead(int code, Duration timeout) {
        if (code == ETIMEDOUT) {
            return "sent nothing for " + seconds(timeout) + ": the camera stalled or the network dropped;"
                    + " check the camera and the network";
        }
        if (code == AVERROR_EOF || code == ECONNRESET || code == EPIPE) {
            return "ended the stream (the server closed the connection: it restarted, or it allows fewer clients)";
        }
        return rtsp(code);
    }

    private static String rtsp(int code) {
        if (code == AVERROR_EOF || code == ECONNRESET || code == EPIPE) {
            return "closed the connection before the stream began: check that the port in the URL is the camera's"
                    + " RTSP port, and that it allows another client";
        }
        if (code == ECONNREFUSED) {
            return "refused the connection: check the host and port in the URL (RTSP's is usually 554)"
                    + " and that the camera is on";
        }
        if (code == AVERROR_HTTP_UNAUTHORIZED) {
            return "refused our credentials (401 Unauthorized): put the camera's user and password in the URL,"
                    + " as rtsp://USER:PASSWORD@host/path";
        }
        if (code == AVERROR_HTTP_FORBIDDEN) {
            return "refused access (403 Forbidden): check that this user may watch the stream, in the camera's settings";
        }
        if (code == AVERROR_HTTP_NOT_FOUND) {
            return "has no such stream (404 Not Found): check the path after the host in the URL"
                    + " (the camera's manual or web page names it)";
        }
        if (code == EHOSTUNREACH || code == ENETUNREACH) {
            return "cannot be reached (no route to the host): check the address in the URL and the network";
        }
        if (code == EIO) {
            return "cannot be reached: check the host name in the URL and the network";
        }
        if (code == AVERROR_INVALIDDATA) {
            return "answered with something that is not RTSP video: check that the URL is the camera's RTSP stream";
        }
        if (code == ENOMEM) {
            return "cannot be read: out of memory";
        }
        return "cannot be read: check the URL and that the camera is reachable (the debug log has FFmpeg's detail)";
    }

    private static String seconds(Duration timeout) {
        long millis = timeout.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }
}
