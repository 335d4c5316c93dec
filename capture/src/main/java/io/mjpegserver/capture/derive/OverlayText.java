package io.mjpegserver.capture.derive;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * An overlay's text for one moment: its strftime-style format filled in ({@code %Y %m %d %H %M %S %y %b %a %j
 * %Z %z %%}, and motion's {@code %$} for the feed's name) in a time zone; any other {@code %x} is left as is.
 * Remembers the last second it filled in, so a frame in the same second costs nothing. Not thread-safe.
 */
final class OverlayText {

    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xx", Locale.ROOT);
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);

    private final String format;
    private final String feedName;
    private final ZoneId zone;
    private long lastSecond = Long.MIN_VALUE;
    private String last;

    OverlayText(String format, String feedName, ZoneId zone) {
        this.format = format;
        this.feedName = feedName;
        this.zone = zone;
    }

    /** The text for a frame taken at {@code wallClockMicros} since the epoch. */
    String at(long wallClockMicros) {
        long second = Math.floorDiv(wallClockMicros, 1_000_000L);
        if (second != lastSecond || last == null) {
            last = format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), zone));
            lastSecond = second;
        }
        return last;
    }

    String format(ZonedDateTime t) {
        StringBuilder out = new StringBuilder(format.length() + 16);
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char k = format.charAt(++i);
            switch (k) {
                case 'Y' -> out.append(t.getYear());
                case 'y' -> two(out, t.getYear() % 100);
                case 'm' -> two(out, t.getMonthValue());
                case 'd' -> two(out, t.getDayOfMonth());
                case 'H' -> two(out, t.getHour());
                case 'M' -> two(out, t.getMinute());
                case 'S' -> two(out, t.getSecond());
                case 'j' -> out.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
                case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'Z' -> out.append(zoneAbbreviation(t));
                case 'z' -> out.append(OFFSET.format(t));
                case '$' -> out.append(feedName);
                case '%' -> out.append('%');
                default -> out.append('%').append(k);
            }
        }
        return out.toString();
    }

    /** The zone's abbreviation at {@code t} (CET or CEST), as strftime's {@code %Z} gives it. */
    private static String zoneAbbreviation(ZonedDateTime t) {
        String name = ZONE.format(t);
        return name.equals("Z") ? "UTC" : name;
    }

    private static void two(StringBuilder out, int value) {
        if (value < 10) {
            out.append('0');
        }
        out.append(value);
    }
}
