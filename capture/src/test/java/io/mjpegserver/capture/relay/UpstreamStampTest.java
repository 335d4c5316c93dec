package io.mjpegserver.capture.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which {@code X-Timestamp} values a relay keeps as a frame's capture time. */
class UpstreamStampTest {

    private static final long NOW = 1_765_000_000_123_456L;

    @Test
    void keepsAWallClockStampInTheFormsCamerasSend() {
        assertEquals(1_765_000_000_123_456L, UpstreamStamp.parse("1765000000.123456", NOW), "ours, ustreamer's");
        assertEquals(1_765_000_001_500_000L, UpstreamStamp.parse(" 1765000001.5 ", NOW), "a shorter fraction");
        assertEquals(1_765_000_002_000_000L, UpstreamStamp.parse("1765000002", NOW), "whole seconds");
        assertEquals(1_765_000_000_123_456L, UpstreamStamp.parse("1765000000.123456789", NOW), "past microseconds");
    }

    @Test
    void keepsAStampFromAClockLessThanAnHourOff() {
        long skewed = NOW - UpstreamStamp.MAX_SKEW_MICROS + 1;
        assertEquals(skewed, UpstreamStamp.parse(skewed / 1_000_000 + "." + String.format("%06d", skewed % 1_000_000),
                NOW));
    }

    @Test
    void dropsWhatIsNotATimeNearOurs() {
        assertEquals(UpstreamStamp.NONE, UpstreamStamp.parse("12345.678901", NOW), "seconds since boot (mjpg-streamer)");
        assertEquals(UpstreamStamp.NONE, UpstreamStamp.parse("1765007200.000000", NOW), "two hours ahead");
        assertEquals(UpstreamStamp.NONE, UpstreamStamp.parse("", NOW));
        assertEquals(UpstreamStamp.NONE, UpstreamStamp.parse("soon", NOW));
        assertEquals(UpstreamStamp.NONE, UpstreamStamp.parse("1765000000.12x", NOW));
        assertEquals(UpstreamStamp.NONE, UpstreamStamp.parse("-1765000000", NOW));
    }
}
