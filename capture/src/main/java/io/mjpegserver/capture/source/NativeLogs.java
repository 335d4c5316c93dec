package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

/** FFmpeg prints to stderr by default; our users want one clear line from us instead. */
final class NativeLogs {

    private NativeLogs() {
    }

    /** Only FFmpeg errors reach stderr. */
    static void errorsOnly() {
        av_log_set_level(AV_LOG_ERROR);
    }

    /** Nothing from FFmpeg: for probing a device whose failure we report ourselves. */
    static void silent() {
        av_log_set_level(AV_LOG_QUIET);
    }
}
