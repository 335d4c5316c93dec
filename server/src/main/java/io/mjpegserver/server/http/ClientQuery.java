package io.mjpegserver.server.http;

import java.util.List;
import java.util.Map;

/**
 * The query parameters a client may give a stream or a snapshot, checked. Unknown parameters are ignored (a
 * camera's URL often carries its own); a known one with a bad value, or given twice, is an error whose message
 * is one line saying what is expected.
 */
final class ClientQuery {

    static final double MIN_FPS = 0.1;
    static final double MAX_FPS = 240;
    /** How far back {@code at} may reach; the ring keeps at most 60 s anyway. */
    static final double MAX_BACK_SECONDS = 3600;

    /** A malformed or out-of-range parameter: the message is the one line the client gets with its 400. */
    static final class BadQuery extends Exception {
        BadQuery(String message) {
            super(message, null, false, false);
        }
    }

    /** A stream's parameters: {@code fps}, 0 when not given (every frame). */
    record Stream(double fps) {
    }

    /**
     * A snapshot's parameters.
     *
     * @param atSeconds seconds back from now ({@code at=-1.5} is 1.5), or {@code NaN} when not given
     * @param sequence  the frame's sequence ({@code seq=N}), or 0 when not given
     * @param waitNext  wait for the next new frame ({@code wait=1})
     */
    record Snapshot(double atSeconds, long sequence, boolean waitNext) {
        /** The newest frame. */
        static final Snapshot NEWEST = new Snapshot(Double.NaN, 0, false);

        boolean newest() {
            return Double.isNaN(atSeconds) && sequence == 0;
        }
    }

    /**
     * A variant's parameters: {@code width}, {@code height} and {@code quality}, each 0 when not given. Whether
     * a size fits the source is checked against the feed ({@link VariantRequests}).
     */
    record Size(int width, int height, int quality) {
        static final Size SOURCE = new Size(0, 0, 0);

        boolean source() {
            return equals(SOURCE);
        }
    }

    /** A wall's parameters: its feeds ({@code null}: every feed), width, rate and quality, 0 when not given. */
    record WallQuery(List<String> feeds, int width, double fps, int quality) {
    }

    private ClientQuery() {
    }

    static Size size(Map<String, List<String>> parameters) throws BadQuery {
        return new Size(whole(parameters, "width", "a width in pixels"), whole(parameters, "height", "a height in pixels"),
                quality(parameters));
    }

    private static int quality(Map<String, List<String>> parameters) throws BadQuery {
        int quality = whole(parameters, "quality", "a JPEG quality");
        if (quality > 100) {
            throw new BadQuery("quality=" + quality + " is not a JPEG quality (expected: quality=N, a whole number from 1"
                    + " to 100)");
        }
        return quality;
    }

    static WallQuery wall(Map<String, List<String>> parameters) throws BadQuery {
        String feeds = single(parameters, "feeds");
        List<String> names = null;
        if (feeds != null) {
            names = List.of(feeds.split(",", -1));
            if (names.stream().anyMatch(String::isEmpty)) {
                throw new BadQuery("feeds=" + feeds + " names no feed or an empty one (expected: feeds=a,b,c, feed names"
                        + " separated by commas)");
            }
            if (names.stream().distinct().count() < names.size()) {
                throw new BadQuery("feeds=" + feeds + " names a feed twice (expected: each feed once)");
            }
        }
        return new WallQuery(names, whole(parameters, "width", "a width in pixels"), stream(parameters).fps(),
                quality(parameters));
    }

    /** A whole number from 1 of {@code name}, or 0 when absent. */
    private static int whole(Map<String, List<String>> parameters, String name, String what) throws BadQuery {
        String text = single(parameters, name);
        if (text == null) {
            return 0;
        }
        long value;
        try {
            value = text.strip().matches("\\d{1,9}") ? Long.parseLong(text.strip()) : -1;
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1) {
            throw new BadQuery(name + "=" + text + " is not " + what + " (expected: " + name + "=N, a whole number from 1)");
        }
        return (int) value;
    }

    static Stream stream(Map<String, List<String>> parameters) throws BadQuery {
        String fps = single(parameters, "fps");
        if (fps == null) {
            return new Stream(0);
        }
        double value = number(fps);
        if (!(value >= MIN_FPS && value <= MAX_FPS)) {
            throw new BadQuery("fps=" + fps + " is not a frame rate (expected: fps=N, N frames per second from 0.1 to 240)");
        }
        return new Stream(value);
    }

    static Snapshot snapshot(Map<String, List<String>> parameters) throws BadQuery {
        String at = single(parameters, "at");
        String seq = single(parameters, "seq");
        String wait = single(parameters, "wait");
        if (at != null && seq != null) {
            throw new BadQuery("at and seq both given (expected: one of them: at=-SECONDS back from now, or seq=N)");
        }
        boolean waitNext = false;
        if (wait != null) {
            if (!wait.equals("0") && !wait.equals("1")) {
                throw new BadQuery("wait=" + wait + " is not 0 or 1 (expected: wait=1 to wait for the next new frame)");
            }
            waitNext = wait.equals("1");
            if (waitNext && (at != null || seq != null)) {
                throw new BadQuery("wait=1 asks for the next frame, at and seq for a past one (expected: only one of them)");
            }
        }
        double back = Double.NaN;
        if (at != null) {
            double value = number(at);
            // "at=+3" arrives as " 3": a '+' in a query is a space.
            if (!(value <= 0 && value >= -MAX_BACK_SECONDS) || !at.strip().startsWith("-") && value != 0) {
                throw new BadQuery("at=" + at + " is not a time in the past (expected: at=-SECONDS, seconds back from now,"
                        + " e.g. at=-1.5)");
            }
            back = -value;
        }
        long sequence = 0;
        if (seq != null) {
            try {
                sequence = Long.parseLong(seq);
            } catch (NumberFormatException e) {
                sequence = -1;
            }
            if (sequence < 1) {
                throw new BadQuery("seq=" + seq + " is not a frame sequence (expected: seq=N, a whole number from 1, as in"
                        + " the X-Frame-Sequence header)");
            }
        }
        return new Snapshot(back, sequence, waitNext);
    }

    /** The one value of {@code name}, {@code null} when absent. */
    private static String single(Map<String, List<String>> parameters, String name) throws BadQuery {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new BadQuery(name + " given " + values.size() + " times (expected: once)");
        }
        return values.get(0);
    }

    /** A finite decimal number, else NaN (which every range check rejects). */
    private static double number(String text) {
        if (text.isEmpty() || !text.strip().matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)")) {
            return Double.NaN;
        }
        return Double.parseDouble(text.strip());
    }
}
