package io.mjpegserver.capture.relay;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A multipart boundary and where it stands in the bytes read: {@code "--" + core} at the start of a line and
 * followed by a line end, dashes or padding, so that the same bytes inside a JPEG are not taken for one.
 */
final class MultipartBoundary {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final String core;
    private final byte[] delimiter;

    private MultipartBoundary(String core) {
        this.core = core;
        this.delimiter = ("--" + core).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The boundary a {@code Content-Type} or a body's first line gives, with any number of leading dashes. */
    static MultipartBoundary of(String given) throws RelayException {
        int dashes = 0;
        while (dashes < given.length() && given.charAt(dashes) == '-') {
            dashes++;
        }
        String stripped = given.substring(dashes);
        if (stripped.isEmpty() || stripped.length() > 200) {
            throw new RelayException("names the multipart boundary '" + RelayFailures.printable(given)
                    + "' (expected 1 to 200 characters)");
        }
        return new MultipartBoundary(stripped);
    }

    /** The boundary without its leading dashes. */
    String core() {
        return core;
    }

    /** The length of the delimiter, {@code "--" + core}. */
    int length() {
        return delimiter.length;
    }

    /**
     * The offset (from the reader index) of the next boundary at or after {@code from}, or -1. A match whose next
     * byte has not come yet is not reported until it has.
     */
    int indexIn(ByteBuf bytes, int from) {
        int base = bytes.readerIndex();
        int last = bytes.writerIndex() - delimiter.length - 1;
        int at = base + from;
        while (at <= last) {
            int dash = bytes.indexOf(at, last + 1, delimiter[0]);
            if (dash < 0) {
                return -1;
            }
            if (startsLine(bytes, base, dash) && endsAt(bytes, dash)) {
                return dash - base;
            }
            at = dash + 1;
        }
        return -1;
    }

    /**
     * Whether the delimiter's bytes after its first, and then a line end, dash or padding, stand at {@code index};
     * {@code bytes} must hold {@link #length()} + 1 bytes from there.
     */
    boolean endsAt(ByteBuf bytes, int index) {
        return matchesAt(bytes, index) && endsToken(bytes.getByte(index + delimiter.length));
    }

    private boolean matchesAt(ByteBuf bytes, int index) {
        for (int i = 1; i < delimiter.length; i++) {
            if (bytes.getByte(index + i) != delimiter[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsLine(ByteBuf bytes, int base, int index) {
        int before = index - 1;
        while (before >= base && bytes.getByte(before) == '-') {
            before--;
        }
        return before < base || bytes.getByte(before) == LF;
    }

    private static boolean endsToken(byte next) {
        return next == CR || next == LF || next == '-' || next == ' ' || next == '\t';
    }
}
