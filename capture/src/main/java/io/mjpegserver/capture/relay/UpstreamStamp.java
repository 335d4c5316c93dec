package io.mjpegserver.capture.relay;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * An upstream's {@code X-Timestamp} ({@code <unix seconds>.<fraction>}, as ours, ustreamer and mjpg-streamer send it),
 * kept as the relayed frame's capture time so a chain of relays shows the origin's stamp. Only a wall-clock time
 * within {@link #MAX_SKEW_MICROS} of ours is kept: a stamp counted from boot (mjpg-streamer passes the V4L2 buffer's
 * monotonic time) or from a clock hours off tells nothing about when the frame was taken.
 */
final class UpstreamStamp {

    /** How far an upstream's clock may be from ours for its stamps to be kept. */
    static final long MAX_SKEW_MICROS = TimeUnit.HOURS.toMicros(1);
    /** No stamp: the frame is stamped when it is published. */
    static final long NONE = 0;

    private UpstreamStamp() {
    }

    /** {@code value} in microseconds since the epoch, or {@link #NONE} if it is not a time near {@code nowMicros}. */
    static long parse(CharSequence value, long nowMicros) {
        int at = 0;
        int end = value.length();
        while (at < end && value.charAt(at) == ' ') {
            at++;
        }
        while (end > at && value.charAt(end - 1) == ' ') {
            end--;
        }
        long seconds = 0;
        int digits = 0;
        for (; at < end && Character.isDigit(value.charAt(at)) && digits < 12; at++, digits++) {
            seconds = seconds * 10 + (value.charAt(at) - '0');
        }
        if (digits == 0) {
            return NONE;
        }
        long fraction = 0;
        int fractionDigits = 0;
        if (at < end && value.charAt(at) == '.') {
            for (at++; at < end && Character.isDigit(value.charAt(at)); at++) {
                if (fractionDigits < 6) {
                    fraction = fraction * 10 + (value.charAt(at) - '0');
                    fractionDigits++;
                }
            }
        }
        if (at != end) {
            return NONE;
        }
        for (; fractionDigits < 6; fractionDigits++) {
            fraction *= 10;
        }
        long micros = seconds * 1_000_000L + fraction;
        return Math.abs(micros - nowMicros) <= MAX_SKEW_MICROS ? micros : NONE;
    }

    /** Our wall clock, in microseconds since the epoch. */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
