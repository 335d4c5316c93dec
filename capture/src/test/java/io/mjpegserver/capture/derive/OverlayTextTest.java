package io.mjpegserver.capture.derive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class OverlayTextTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void fillsInStrftimeFieldsAndTheFeedsName() {
        ZonedDateTime t = ZonedDateTime.of(2026, 3, 7, 9, 5, 2, 0, PARIS);
        OverlayText text = new OverlayText("%$ %Y-%m-%d %H:%M:%S %y %b %a %j %Z %z %% %q%", "porch", PARIS);
        assertEquals("porch 2026-03-07 09:05:02 26 Mar Sat 066 CET +0100 % %q%", text.format(t));
        assertEquals("CEST +0200", new OverlayText("%Z %z", "x", PARIS).format(t.withMonth(7)));
    }

    @Test
    void readsTheFramesWallClockInItsZoneOncePerSecond() {
        OverlayText text = new OverlayText("%H:%M:%S", "x", ZoneId.of("UTC"));
        long micros = 1_700_000_000_000_000L;
        String first = text.at(micros);
        assertEquals("22:13:20", first);
        assertSame(first, text.at(micros + 999_999), "the same second: the same text");
        assertEquals("22:13:21", text.at(micros + 1_000_000));
        assertEquals("UTC", new OverlayText("%Z", "x", ZoneId.of("UTC")).at(micros));
    }
}
