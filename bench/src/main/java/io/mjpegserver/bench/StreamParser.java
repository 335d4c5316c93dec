package io.mjpegserver.bench;

import io.netty.buffer.ByteBuf;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Parses one MJPEG HTTP response as its bytes arrive, in any pieces: the head, then the body, de-chunked
 * (HTTP/1.1) or raw until the close (HTTP/1.0), reporting each complete part to its {@link PartListener}. One per
 * connection, fed on its event loop; after a {@link ProtocolException} it ignores further input.
 */
final class StreamParser {

    static final int MAX_HEAD_LINES = 64;
    private static final String MULTIPART = "multipart/x-mixed-replace";

    private enum State { STATUS, HEADERS, BODY, FAILED }

    private final PartListener listener;
    private final LongSupplier clockMicros;
    private final LineReader line = new LineReader(8192, "response head line");
    private State state = State.STATUS;
    private int headLines;
    private String boundary;
    private boolean chunked;
    private MultipartDecoder multipart;
    private ChunkDecoder chunks;

    /** @param clockMicros wall clock in microseconds since the epoch; read once per part, as its last byte arrives */
    StreamParser(PartListener listener, LongSupplier clockMicros) {
        this.listener = listener;
        this.clockMicros = clockMicros;
    }

    /**
     * Consumes every readable byte of {@code in}. Does not release it: the caller owns {@code in}.
     *
     * @throws ProtocolException naming what broke the wire format; the parser is failed from then on
     */
    void feed(ByteBuf in) throws ProtocolException {
        if (state == State.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int index = in.readerIndex();
        int end = in.writerIndex();
        try {
            while (index < end) {
                if (state == State.BODY) {
                    if (chunked) {
                        chunks.feed(in, index, end);
                    } else {
                        multipart.feed(in, index, end);
                    }
                    index = end;
                } else {
                    index = line.read(in, index, end);
                    if (line.complete()) {
                        headLine();
                        line.clear();
                    }
                }
            }
        } catch (ProtocolException e) {
            state = State.FAILED;
            throw e;
        } finally {
            in.readerIndex(end);
        }
    }

    /** The connection closed. @throws ProtocolException when that cut the head, a chunk or a part */
    void endOfInput() throws ProtocolException {
        switch (state) {
            case FAILED -> { }
            case STATUS, HEADERS -> throw new ProtocolException("stream ended inside the response head");
            case BODY -> {
                if (chunked) {
                    chunks.endOfInput();
                } else {
                    multipart.endOfInput();
                }
            }
        }
    }

    boolean chunked() {
        return chunked;
    }

    /** The multipart boundary, once the head is in; else null. */
    String boundary() {
        return boundary;
    }

    private void headLine() throws ProtocolException {
        if (++headLines > MAX_HEAD_LINES) {
            throw new ProtocolException("more than " + MAX_HEAD_LINES + " response head lines");
        }
        if (state == State.STATUS) {
            String status = line.snippet();
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || !status.startsWith(" 200", 8)) {
                throw new ProtocolException("status line: '" + status + "' (expected: HTTP/1.x 200)");
            }
            state = State.HEADERS;
        } else if (line.isEmpty()) {
            startBody();
        } else if (line.hasName("content-type")) {
            boundary = boundaryOf(line.value());
        } else if (line.hasName("transfer-encoding")) {
            chunked = line.value().toLowerCase(Locale.ROOT).contains("chunked");
        } else if (!line.hasColon()) {
            throw new ProtocolException("response header line without a colon: '" + line.snippet() + "'");
        }
    }

    private void startBody() throws ProtocolException {
        if (boundary == null) {
            throw new ProtocolException("response without Content-Type: " + MULTIPART + ";boundary=...");
        }
        multipart = new MultipartDecoder(boundary, listener, clockMicros);
        chunks = chunked ? new ChunkDecoder(multipart) : null;
        state = State.BODY;
    }

    /** The boundary parameter of a multipart Content-Type (quotes removed). */
    static String boundaryOf(String contentType) throws ProtocolException {
        String lower = contentType.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("boundary=");
        if (!lower.startsWith(MULTIPART) || at < 0) {
            throw new ProtocolException("Content-Type: '" + contentType + "' (expected: " + MULTIPART + ";boundary=...)");
        }
        String value = contentType.substring(at + "boundary=".length());
        int semicolon = value.indexOf(';');
        value = (semicolon < 0 ? value : value.substring(0, semicolon)).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.isEmpty() || value.length() > 70 || !value.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new ProtocolException("boundary: '" + value + "' (expected: 1 to 70 visible ASCII characters)");
        }
        return value;
    }
}
