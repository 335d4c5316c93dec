package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_VERBOSE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.setLogCallback;

import java.util.function.BiConsumer;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * FFmpeg's log lines in SLF4J (logger {@code ffmpeg}), one level down (PANIC and FATAL to WARN, ERROR and WARNING
 * to DEBUG, INFO to TRACE): the source reports each failure in our words, so FFmpeg's lines are debug detail.
 * FFmpeg holds one callback per process: {@link #install()} sets it once and keeps it reachable.
 */
final class FfmpegLog extends LogCallback {

    private static final Logger LOG = LoggerFactory.getLogger("ffmpeg");

    private final BiConsumer<Level, String> sink;

    /** @param sink told each non-blank line with its mapped level; called on whatever thread FFmpeg logs from */
    FfmpegLog(BiConsumer<Level, String> sink) {
        this.sink = sink;
    }

    /** Routes FFmpeg's log through SLF4J. Idempotent and thread-safe; call before the first FFmpeg use. */
    static void install() {
        Installed.touch();
    }

    private static final class Installed {
        private static final FfmpegLog CALLBACK = new FfmpegLog((level, line) -> LOG.atLevel(level).log(line));

        static {
            // Pointers are freed when collected; the callback must live as long as FFmpeg may call it.
            CALLBACK.retainReference();
            av_log_set_level(threshold(LOG));
            setLogCallback(CALLBACK);
        }

        static void touch() {
        }
    }

    /** The SLF4J level an FFmpeg level maps to, or {@code null} for one never logged. */
    static Level level(int avLevel) {
        if (avLevel <= AV_LOG_FATAL) {
            return Level.WARN;
        }
        if (avLevel <= AV_LOG_WARNING) {
            return Level.DEBUG;
        }
        if (avLevel <= AV_LOG_VERBOSE) {
            return Level.TRACE;
        }
        return null;
    }

    /** The most verbose FFmpeg level that {@code logger} would keep. */
    static int threshold(Logger logger) {
        if (logger.isTraceEnabled()) {
            return AV_LOG_VERBOSE;
        }
        if (logger.isDebugEnabled()) {
            return AV_LOG_WARNING;
        }
        return logger.isWarnEnabled() ? AV_LOG_FATAL : AV_LOG_QUIET;
    }

    @Override
    public void call(int avLevel, BytePointer message) {
        try {
            Level level = level(avLevel);
            if (level == null || message == null || message.isNull()) {
                return;
            }
            // FFmpeg ends lines with a newline, and may send one line in pieces: each piece is logged on its own.
            String line = message.getString().strip();
            if (!line.isEmpty()) {
                sink.accept(level, line);
            }
        } catch (RuntimeException e) {
            // Called from native code: nothing may be thrown back into FFmpeg.
        }
    }
}
