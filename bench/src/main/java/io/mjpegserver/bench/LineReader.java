package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;

/**
 * Collects one CRLF-terminated ASCII line at a time from ranges of buffers, across reads, and reads header
 * values from it without making strings. Header lines are the only bytes the load client copies: they are
 * small, and bounded by {@code maxLength}.
 */
final class LineReader {

    private final byte[] line;
    private final String what;
    private int length;
    private boolean sawCr;
    private boolean complete;

    /** @param what names the line in error messages, e.g. "part header line" */
    LineReader(int maxLength, String what) {
        this.line = new byte[maxLength];
        this.what = what;
    }

    /**
     * Consumes bytes of {@code buf} from {@code index} (absolute) until the line is complete or {@code end} is
     * reached, and returns the index after the last byte consumed. Reads only; the caller owns {@code buf}.
     */
    int read(ByteBuf buf, int index, int end) throws ProtocolException {
        while (index < end) {
            byte b = buf.getByte(index++);
            if (sawCr) {
                if (b != '\n') {
                    throw new ProtocolException(what + ": CR without LF after '" + snippet() + "'");
                }
                sawCr = false;
                complete = true;
                return index;
            }
            if (b == '\r') {
                sawCr = true;
            } else if (b == '\n') {
                throw new ProtocolException(what + ": bare LF after '" + snippet() + "' (expected: CRLF)");
            } else if (length == line.length) {
                throw new ProtocolException(what + " over " + line.length + " bytes: '" + snippet() + "'");
            } else {
                line[length++] = b;
            }
        }
        return index;
    }

    boolean complete() {
        return complete;
    }

    /** No byte of a line seen yet. */
    boolean idle() {
        return length == 0 && !sawCr;
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** Forgets the completed line, ready for the next. */
    void clear() {
        length = 0;
        complete = false;
    }

    String text() {
        return new String(line, 0, length, US_ASCII);
    }

    /** The line so far, cut to 80 characters: for error messages. */
    String snippet() {
        return length <= 80 ? text() : new String(line, 0, 80, US_ASCII) + "...";
    }

    /** Whether the line is a header named {@code lowerName} (ASCII letters, digits and '-'), any case. */
    boolean hasName(String lowerName) {
        int n = lowerName.length();
        if (length <= n || line[n] != ':') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((line[i] | 0x20) != lowerName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    boolean hasColon() {
        for (int i = 0; i < length; i++) {
            if (line[i] == ':') {
                return true;
            }
        }
        return false;
    }

    /** The header's value, trimmed. */
    String value() {
        int from = valueStart();
        return new String(line, from, valueEnd(from) - from, US_ASCII);
    }

    /** Whether the header's value is {@code lowerValue}, any case, ignoring surrounding spaces. */
    boolean valueIs(String lowerValue) {
        int from = valueStart();
        int to = valueEnd(from);
        if (to - from != lowerValue.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte b = line[i];
            int folded = b >= 'A' && b <= 'Z' ? b | 0x20 : b;
            if (folded != lowerValue.charAt(i - from)) {
                return false;
            }
        }
        return true;
    }

    /** The header's value as a non-negative decimal number of at most 18 digits. */
    long longValue(String header) throws ProtocolException {
        int from = valueStart();
        int to = valueEnd(from);
        long value = digits(from, to);
        if (value < 0) {
            throw new ProtocolException(header + ": '" + value() + "' (expected: a non-negative number)");
        }
        return value;
    }

    /** {@code X-Timestamp: <seconds>.<up to 6 digits>} as microseconds since the epoch. */
    long timestampMicros() throws ProtocolException {
        int from = valueStart();
        int to = valueEnd(from);
        int dot = from;
        while (dot < to && line[dot] != '.') {
            dot++;
        }
        long seconds = digits(from, dot);
        long micros = 0;
        if (dot < to) {
            int fraction = to - dot - 1;
            micros = fraction >= 1 && fraction <= 6 ? digits(dot + 1, to) : -1;
            for (int i = fraction; i < 6 && micros >= 0; i++) {
                micros *= 10;
            }
        }
        if (seconds < 0 || micros < 0 || seconds > 100_000_000_000L) {
            throw new ProtocolException("X-Timestamp: '" + value() + "' (expected: unix seconds with up to 6 decimals)");
        }
        return seconds * 1_000_000 + micros;
    }

    private int valueStart() {
        int i = 0;
        while (i < length && line[i] != ':') {
            i++;
        }
        i++;
        while (i < length && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        return Math.min(i, length);
    }

    private int valueEnd(int from) {
        int to = length;
        while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    /** The decimal number in [from, to), or -1 when it is empty, has a non-digit or is too long. */
    private long digits(int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = line[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
