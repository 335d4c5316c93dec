package io.mjpegserver.capture.source;

import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.javacpp.Pointer;

/**
 * Bounds FFmpeg's blocking calls through the format context's interrupt callback: it ends them with
 * {@code AVERROR_EXIT} once the calling thread's deadline passes or the thread is interrupted. One callback serves
 * every context (JavaCPP has few native entry points per callback class); the deadline is per thread.
 */
final class FfmpegDeadline {

    /** No deadline set on this thread: only an interrupt ends the call. */
    private static final long NONE = Long.MIN_VALUE;
    private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {NONE});
    /** Kept for the life of the process: FFmpeg holds its address in every context. */
    private static final Callback CALLBACK = new Callback();

    private FfmpegDeadline() {
    }

    /** Makes {@code context}'s blocking calls end at this thread's deadline, or at its interrupt. */
    static void install(AVFormatContext context) {
        AVIOInterruptCB interrupt = context.interrupt_callback();
        interrupt.callback(CALLBACK);
        interrupt.opaque(null);
    }

    /** FFmpeg calls on this thread give up at {@code nanoTime} ({@link System#nanoTime()}). */
    static void set(long nanoTime) {
        DEADLINE.get()[0] = nanoTime;
    }

    /** No deadline on this thread any more (an interrupt still ends a call). */
    static void clear() {
        DEADLINE.get()[0] = NONE;
    }

    /** Whether this thread's deadline has passed: why a call just gave up, when it was not interrupted. */
    static boolean passed() {
        long deadline = DEADLINE.get()[0];
        return deadline != NONE && System.nanoTime() - deadline >= 0;
    }

    private static final class Callback extends AVIOInterruptCB.Callback_Pointer {
        Callback() {
            super(); // Allocates the native entry point.
        }

        @Override
        public int call(Pointer opaque) {
            return Thread.currentThread().isInterrupted() || passed() ? 1 : 0;
        }
    }
}
