package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DECODER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_PANIC;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** FFmpeg's failures in our words, and its log lines in SLF4J at levels one step down. */
class FfmpegMessagesTest {

    /** What JavaCV says, verbatim but for the code and the path. */
    private static FFmpegFrameGrabber.Exception javacv(int code, String input) {
        return new FFmpegFrameGrabber.Exception("avformat_open_input() error " + code + ": Could not open input \"" + input
                + "\". (Has setFormat() been called?) (For more details, make sure FFmpegLogCallback.set() has been called.)");
    }

    @Test
    void cameraFailuresInOurWords() {
        assertEquals("is busy: another program holds it (find it with: fuser /dev/video0), or pick another with --device N",
                FfmpegErrors.camera(javacv(-16, "/dev/video0"), "/dev/video0"));
        assertEquals("is gone (unplugged?): connect it, or pick another with --device N",
                FfmpegErrors.camera(javacv(-19, "/dev/video0"), "/dev/video0"));
        assertEquals("is not readable: add this user to the 'video' group (sudo usermod -aG video $USER)",
                FfmpegErrors.camera(javacv(-13, "/dev/video0"), "/dev/video0"));
    }

    @Test
    void fileFailuresInOurWords() {
        assertEquals("uses a video codec we cannot decode: convert it, e.g. to H.264 or MJPEG", FfmpegErrors.file(
                new FFmpegFrameGrabber.Exception("avcodec_find_decoder() error: Unsupported video format or codec \"hevc\".")));
        for (int code : new int[] {-1094995529, -541478725, -5, -12, -99}) {
            String words = FfmpegErrors.file(javacv(code, "/tmp/x.mp4"));
            for (String internal : List.of("avformat", "error -", "setFormat", "FFmpegLogCallback", "()")) {
                assertFalse(words.contains(internal), words);
            }
        }
    }

    @Test
    void rtspFailuresInOurWords() {
        Duration timeout = Duration.ofSeconds(5);
        assertEquals("sends video in a codec we cannot decode: set the camera's stream to H.264, H.265 or MJPEG",
                FfmpegErrors.rtspOpen(AVERROR_DECODER_NOT_FOUND, timeout, false));
        assertEquals("has no video we can read: check that the URL names a video stream",
                FfmpegErrors.rtspOpen(AVERROR_STREAM_NOT_FOUND, timeout, false));
        String invalid = FfmpegErrors.rtspOpen(-1094995529, timeout, false);
        assertTrue(invalid.startsWith("answered with something that is not RTSP video"), invalid);
        assertTrue(FfmpegErrors.rtspOpen(-1094995529, timeout, true)
                .startsWith("did not answer within 5 s"), "a request unanswered until the timeout");
        assertTrue(FfmpegErrors.rtspRead(-110, Duration.ofMillis(1500)).startsWith("sent nothing for 1.5 s"));
        for (int code : new int[] {-111, -110, -113, -5, -104, -541478725, -825242872, -858797304, -875574520, -99}) {
            for (String words : List.of(FfmpegErrors.rtspOpen(code, timeout, false),
                    FfmpegErrors.rtspRead(code, timeout))) {
                for (String internal : List.of("avformat", "error -", "setFormat", "FFmpegLogCallback", "()")) {
                    assertFalse(words.contains(internal), words);
                }
            }
        }
    }

    @Test
    void logLinesGoOneLevelDown() {
        assertEquals(Level.WARN, FfmpegLog.level(AV_LOG_PANIC));
        assertEquals(Level.WARN, FfmpegLog.level(AV_LOG_FATAL));
        assertEquals(Level.DEBUG, FfmpegLog.level(AV_LOG_ERROR));
        assertEquals(Level.DEBUG, FfmpegLog.level(AV_LOG_WARNING));
        assertEquals(Level.TRACE, FfmpegLog.level(AV_LOG_INFO));
        assertNull(FfmpegLog.level(AV_LOG_DEBUG));

        List<String> lines = new ArrayList<>();
        FfmpegLog log = new FfmpegLog((level, line) -> lines.add(level + " " + line));
        try (BytePointer line = new BytePointer("[mov,mp4 @ 0x5581] moov atom not found\n");
                BytePointer blank = new BytePointer("\n")) {
            log.call(AV_LOG_ERROR, line);
            log.call(AV_LOG_ERROR, blank);
            log.call(AV_LOG_DEBUG, line);
        } finally {
            log.close();
        }
        assertEquals(List.of("DEBUG [mov,mp4 @ 0x5581] moov atom not found"), lines);
    }
}
