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
        boolean newest() {
            return Double.isNaN(atSeconds) && sequence == 0;
        }
    }

    private ClientQuery() {
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
