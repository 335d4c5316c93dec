package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DECODER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DEMUXER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;

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
}
