package io.mjpegserver.bench;

import io.netty.buffer.ByteBuf;

/**
 * Removes HTTP/1.1 chunked framing and hands each chunk's data, as ranges of the buffers that arrived (never
 * copied), to the multipart decoder.
 */
final class ChunkDecoder {

    static final long MAX_CHUNK_SIZE = 64L << 20;

    private enum State { SIZE, DATA, DATA_CRLF, TRAILER, DONE }

    private final MultipartDecoder body;
    private final LineReader line = new LineReader(80, "chunk size line");
    private State state = State.SIZE;
    private long remaining;
    private int crlfSeen;

    ChunkDecoder(MultipartDecoder body) {
        this.body = body;
    }

    /** Consumes the bytes of {@code buf} in [index, end) (absolute indices). Reads only; the caller owns {@code buf}. */
    void feed(ByteBuf buf, int index, int end) throws ProtocolException {
        while (index < end) {
            switch (state) {
                case SIZE -> {
                    index = line.read(buf, index, end);
                    if (line.complete()) {
                        remaining = chunkSize();
                        line.clear();
                        state = remaining == 0 ? State.TRAILER : State.DATA;
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(end - index, remaining);
                    body.feed(buf, index, index + n);
                    index += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DATA_CRLF;
                        crlfSeen = 0;
                    }
                }
                case DATA_CRLF -> {
                    byte b = buf.getByte(index++);
                    if (b != (crlfSeen == 0 ? '\r' : '\n')) {
                        throw new ProtocolException("expected CRLF after a chunk's data, got byte " + (b & 0xFF));
                    }
                    if (++crlfSeen == 2) {
                        state = State.SIZE;
                    }
                }
                case TRAILER -> {
                    index = line.read(buf, index, end);
                    if (line.complete()) {
                        boolean last = line.isEmpty();
                        line.clear();
                        if (last) {
                            state = State.DONE;
                            body.lastChunk();
                        }
                    }
                }
                case DONE -> index = end;
            }
        }
    }

    /** The connection closed. @throws ProtocolException when that cut a chunk or a part */
    void endOfInput() throws ProtocolException {
        if (state == State.DONE) {
            return;
        }
        if (state != State.SIZE || !line.idle()) {
            throw new ProtocolException("stream ended inside a chunk (truncated)");
        }
        body.endOfInput();
    }

    private long chunkSize() throws ProtocolException {
        String text = line.text();
        int semicolon = text.indexOf(';');
        String hex = (semicolon < 0 ? text : text.substring(0, semicolon)).trim();
        long size = -1;
        if (!hex.isEmpty() && hex.length() <= 8) {
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                size = -1;
            }
        }
        if (size < 0 || hex.startsWith("+") || hex.startsWith("-")) {
            throw new ProtocolException("chunk size line: '" + text + "' (expected: hex digits)");
        }
        if (size > MAX_CHUNK_SIZE) {
            throw new ProtocolException("chunk size: " + size + " (expected: <= " + MAX_CHUNK_SIZE + ")");
        }
        return size;
    }
}
