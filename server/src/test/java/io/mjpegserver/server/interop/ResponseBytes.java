package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The bytes of one HTTP response as they come off a socket: read on demand, looked at from the front and
 * consumed from the front, as a C reader's buffer would be. Positions are relative to the first unconsumed byte.
 */
final class ResponseBytes {

    private final InputStream in;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    ResponseBytes(InputStream in) {
        this.in = in;
    }

    /** Unconsumed bytes read so far. */
    int available() {
        return end - start;
    }

    int byteAt(int index) {
        return buffer[start + index] & 0xFF;
    }

    /** The unconsumed bytes as ISO-8859-1 text: one char per byte, so indices match. */
    String text() {
        return text(0, available());
    }

    String text(int from, int length) {
        return new String(buffer, start + from, length, ISO_8859_1);
    }

    /** Position of the first {@code first second} byte pair, or -1. */
    int indexOf(int first, int second) {
        for (int i = start; i + 1 < end; i++) {
            if ((buffer[i] & 0xFF) == first && (buffer[i + 1] & 0xFF) == second) {
                return i - start;
            }
        }
        return -1;
    }

    /** A copy of {@code [from, to)}, without consuming. */
    byte[] copy(int from, int to) {
        return Arrays.copyOfRange(buffer, start + from, start + to);
    }

    void skip(int n) {
        start += n;
    }

    /** Consumes and returns the next {@code n} bytes, reading until they are there. */
    byte[] take(int n) throws IOException {
        while (available() < n) {
            fill();
        }
        byte[] taken = copy(0, n);
        start += n;
        return taken;
    }

    /** Reads what the socket has (at least one byte, within its read timeout). */
    void fill() throws IOException {
        if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            throw new EOFException("the server closed the connection; unread: " + available() + " bytes");
        }
        end += n;
    }

    /** Fails once more than {@code limit} bytes wait without a match: the stream is not what the reader expects. */
    void failIfMore(int limit, String reader, String what) {
        if (available() > limit) {
            throw new AssertionError(reader + " finds no " + what + " in " + available() + " bytes, which start: "
                    + text(0, Math.min(200, available())));
        }
    }
}
