package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import java.util.function.LongSupplier;

/**
 * Decodes a {@code multipart/x-mixed-replace} body from ranges of the buffers that arrive, never copying JPEG
 * bytes: a part is skipped by its Content-Length, peeking only at its first and last two bytes (FF D8 ... FF D9).
 * Strict where real clients are: {@code --B} first (after at most one CRLF), a Content-Length per part, and
 * {@code CRLF --B} right after each part's bytes.
 */
final class MultipartDecoder {

    static final int MAX_PART_HEADER_LINES = 32;
    static final long MAX_CONTENT_LENGTH = 64L << 20;

    private enum State { DELIMITER, DELIMITER_END, HEADERS, BODY, CLOSED }

    private final PartListener listener;
    private final LongSupplier clockMicros;
    private final byte[] firstDelimiter;
    private final byte[] nextDelimiter;
    private final LineReader line = new LineReader(1024, "part header line");

    private State state = State.DELIMITER;
    private byte[] expect;
    private int matched;
    private int endByte = -1;

    // The part being read.
    private int headerLines;
    private long contentLength = -1;
    private boolean jpegType;
    private long sequence = -1;
    private long timestampMicros = -1;
    private long bodyRead;
    private boolean markersOk;
    private long arrivalMicros;
    /** The part's bytes are in; it is reported when the delimiter after it is. */
    private boolean partPending;

    /** @param clockMicros wall clock in microseconds since the epoch, read once per part */
    MultipartDecoder(String boundary, PartListener listener, LongSupplier clockMicros) {
        this.listener = listener;
        this.clockMicros = clockMicros;
        this.firstDelimiter = ("--" + boundary).getBytes(US_ASCII);
        this.nextDelimiter = ("\r\n--" + boundary).getBytes(US_ASCII);
        this.expect = firstDelimiter;
    }

    /** Consumes the bytes of {@code buf} in [index, end) (absolute indices). Reads only; the caller owns {@code buf}. */
    void feed(ByteBuf buf, int index, int end) throws ProtocolException {
        while (index < end) {
            switch (state) {
                case DELIMITER -> index = delimiter(buf, index);
                case DELIMITER_END -> delimiterEnd(buf.getByte(index++));
                case HEADERS -> {
                    index = line.read(buf, index, end);
                    if (line.complete()) {
                        header();
                        line.clear();
                    }
                }
                case BODY -> {
                    int n = (int) Math.min(end - index, contentLength - bodyRead);
                    peekMarkers(buf, index, n);
                    bodyRead += n;
                    index += n;
                    if (bodyRead == contentLength) {
                        bodyDone();
                    }
                }
                case CLOSED -> index = end;
            }
        }
    }

    /**
     * The body ended (connection closed or last chunk).
     *
     * @throws ProtocolException when it ended inside a part or before the delimiter that must follow one
     */
    void endOfInput() throws ProtocolException {
        boolean betweenParts = state == State.CLOSED
                || (state == State.HEADERS && headerLines == 0 && line.idle())
                || (state == State.DELIMITER && !partPending && matched == 0);
        if (!betweenParts) {
            throw new ProtocolException(partPending
                    ? "stream ended before the delimiter after a part (truncated)"
                    : "stream ended inside a part (truncated after " + bodyRead + " of " + contentLength + " bytes)");
        }
    }

    /** HTTP/1.1's last chunk ended the body: the stream's clean end, unless it cut a part. */
    void lastChunk() throws ProtocolException {
        endOfInput();
        listener.onEnd();
    }

    private int delimiter(ByteBuf buf, int index) throws ProtocolException {
        byte b = buf.getByte(index);
        if (matched == 0 && expect == firstDelimiter && b == '\r') {
            expect = nextDelimiter; // a leading CRLF before the first delimiter
        }
        if (b != expect[matched]) {
            throw new ProtocolException(partPending
                    ? "expected CRLF --boundary right after a part's " + contentLength + " bytes (wrong Content-Length?)"
                    : "expected the body to start with --boundary");
        }
        if (++matched == expect.length) {
            state = State.DELIMITER_END;
            endByte = -1;
        }
        return index + 1;
    }

    private void delimiterEnd(byte b) throws ProtocolException {
        if (endByte < 0) {
            if (b != '\r' && b != '-') {
                throw new ProtocolException("expected CRLF or -- after a delimiter, got byte " + (b & 0xFF));
            }
            endByte = b;
            return;
        }
        if (endByte == '\r' && b == '\n') {
            emitPending();
            state = State.HEADERS;
            startPart();
        } else if (endByte == '-' && b == '-') {
            emitPending();
            state = State.CLOSED;
            listener.onEnd();
        } else {
            throw new ProtocolException("expected CRLF or -- after a delimiter");
        }
    }

    private void startPart() {
        headerLines = 0;
        contentLength = -1;
        jpegType = false;
        sequence = -1;
        timestampMicros = -1;
        bodyRead = 0;
    }

    private void header() throws ProtocolException {
        if (line.isEmpty()) {
            beginBody();
        } else if (++headerLines > MAX_PART_HEADER_LINES) {
            throw new ProtocolException("more than " + MAX_PART_HEADER_LINES + " part header lines");
        } else if (line.hasName("content-length")) {
            contentLength = line.longValue("part Content-Length");
            if (contentLength > MAX_CONTENT_LENGTH) {
                throw new ProtocolException("part Content-Length: " + contentLength + " (expected: <= " + MAX_CONTENT_LENGTH + ")");
            }
        } else if (line.hasName("content-type")) {
            jpegType = line.valueIs("image/jpeg");
        } else if (line.hasName("x-timestamp")) {
            timestampMicros = line.timestampMicros();
        } else if (line.hasName("x-frame-sequence")) {
            sequence = line.longValue("X-Frame-Sequence");
        } else if (!line.hasColon()) {
            throw new ProtocolException("part header line without a colon: '" + line.snippet() + "'");
        }
    }

    private void beginBody() throws ProtocolException {
        if (contentLength < 0) {
            throw new ProtocolException("part without Content-Length" + (headerLines == 0 ? " (no headers at all)" : ""));
        }
        state = State.BODY;
        markersOk = contentLength >= 4;
        if (contentLength == 0) {
            bodyDone();
        }
    }

    private void peekMarkers(ByteBuf buf, int index, int n) {
        long from = bodyRead;
        long to = bodyRead + n;
        peek(buf, index, from, to, 0, 0xFF);
        peek(buf, index, from, to, 1, 0xD8);
        peek(buf, index, from, to, contentLength - 2, 0xFF);
        peek(buf, index, from, to, contentLength - 1, 0xD9);
    }

    private void peek(ByteBuf buf, int index, long from, long to, long offset, int expected) {
        if (offset >= from && offset < to && (buf.getByte(index + (int) (offset - from)) & 0xFF) != expected) {
            markersOk = false;
        }
    }

    private void bodyDone() {
        arrivalMicros = clockMicros.getAsLong();
        partPending = true;
        state = State.DELIMITER;
        expect = nextDelimiter;
        matched = 0;
    }

    private void emitPending() {
        matched = 0;
        if (partPending) {
            partPending = false;
            listener.onPart(contentLength, sequence, timestampMicros, arrivalMicros, jpegType && markersOk);
        }
    }
}
