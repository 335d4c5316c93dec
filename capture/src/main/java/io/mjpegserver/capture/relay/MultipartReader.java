package io.mjpegserver.capture.relay;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.function.ObjLongConsumer;

/**
 * Reads a {@code multipart/x-mixed-replace} body as it arrives, handing each part on as a retained slice of the
 * {@link FrameCumulation}. Lenient as real cameras need (no Content-Length, LF line ends, no leading boundary, a
 * preamble, odd dashes, an unnamed boundary); a part whose Content-Length is wrong is skipped, not fatal. Memory is
 * bounded: an oversized part, headers or preamble end the stream with a {@link RelayException}. Event loop only.
 */
final class MultipartReader {

    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_PREAMBLE_BYTES = 64 * 1024;
    private static final int MAX_BOUNDARY_LINE = 1024;
    /**
     * Room kept past a sized part for the rest of the read that ends it (a socket read is at most 64 KiB): without
     * it, that read moves the whole part to a buffer twice its size, which the frame then pins.
     */
    static final int READ_SLACK = 64 * 1024;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** Bytes after a part's end that may pad its JPEG (line ends, zeros) and still count as its end. */
    private static final int MAX_PADDING = 16;

    private enum State { START, PREAMBLE, BOUNDARY_LINE, HEADERS, BODY_SIZED, AFTER_BODY, BODY_SCAN, RESYNC }

    private final FrameCumulation cumulation;
    private final int maxPartBytes;
    private final ObjLongConsumer<ByteBuf> frames;
    private final Runnable skipped;
    /** {@code null} until known. */
    private MultipartBoundary boundary;
    private State state = State.START;
    private int contentLength = -1;
    /** The current part's {@code X-Timestamp}, or {@link UpstreamStamp#NONE}. */
    private long stampMicros;
    private int headerBytes;
    private int scanFrom;
    private int preambleBytes;

    /**
     * @param boundary the boundary the response's {@code Content-Type} gave, or {@code null} to take it from the
     *                 body's first line
     * @param frames   takes each part's bytes, and ownership of them, with its {@link UpstreamStamp}
     * @param skipped  told of each part not delivered for a wrong {@code Content-Length}
     */
    MultipartReader(FrameCumulation cumulation, int maxPartBytes, String boundary, ObjLongConsumer<ByteBuf> frames,
            Runnable skipped) throws RelayException {
        this.cumulation = cumulation;
        this.maxPartBytes = maxPartBytes;
        this.frames = frames;
        this.skipped = skipped;
        this.boundary = boundary == null ? null : MultipartBoundary.of(boundary);
    }

    /** Takes the bytes of {@code content} (not released: the caller releases it) and delivers every whole part. */
    void read(ByteBuf content) throws RelayException {
        cumulation.append(content);
        while (step()) {
            // each step consumed something or changed state
        }
    }

    /** Whether the body stopped inside a part (its headers or its bytes). */
    boolean midFrame() {
        return switch (state) {
            case BODY_SIZED, BODY_SCAN, RESYNC -> true;
            case HEADERS -> headerBytes > 0 || cumulation.readable() > 0;
            default -> false;
        };
    }

    private boolean step() throws RelayException {
        return switch (state) {
            case START -> start();
            case PREAMBLE -> preamble();
            case BOUNDARY_LINE -> boundaryLine();
            case HEADERS -> headers();
            case BODY_SIZED -> bodySized();
            case AFTER_BODY -> afterBody();
            case BODY_SCAN -> bodyScan();
            case RESYNC -> resync();
        };
    }

    private boolean start() throws RelayException {
        skipLineEnds();
        ByteBuf bytes = cumulation.bytes();
        if (cumulation.readable() < 2) {
            return false;
        }
        if (bytes.getUnsignedShort(bytes.readerIndex()) == 0xFFD8) {
            // A camera that starts with a JPEG, no boundary and no headers.
            startBody();
            return true;
        }
        int eol = lineEnd();
        if (eol < 0) {
            if (cumulation.readable() > MAX_HEADER_BYTES) {
                return toPreamble();
            }
            return false;
        }
        String line = line(eol);
        if (line.startsWith("--")) {
            if (boundary == null) {
                boundary = MultipartBoundary.of(line.trim());
            }
            state = State.BOUNDARY_LINE;
            return true;
        }
        if (looksLikeHeader(line)) {
            // A missing leading boundary: the first part's headers come first.
            state = State.HEADERS;
            return true;
        }
        return toPreamble();
    }

    private boolean toPreamble() throws RelayException {
        if (boundary == null) {
            throw new RelayException("sent a body that names no multipart boundary (its Content-Type has none, and the"
                    + " body does not start with '--boundary'): not an MJPEG stream");
        }
        state = State.PREAMBLE;
        return true;
    }

    private boolean preamble() throws RelayException {
        int found = boundary.indexIn(cumulation.bytes(), 0);
        if (found >= 0) {
            cumulation.skip(found);
            state = State.BOUNDARY_LINE;
            return true;
        }
        // Keep what a boundary still arriving may start with, and the LF before it.
        int drop = Math.max(0, cumulation.readable() - boundary.length() - 2);
        cumulation.skip(drop);
        preambleBytes += drop;
        if (preambleBytes > MAX_PREAMBLE_BYTES) {
            throw new RelayException("sent more than " + MAX_PREAMBLE_BYTES + " bytes without the boundary '--"
                    + boundary.core() + "' its Content-Type announced (garbage, or another boundary)");
        }
        return false;
    }

    private boolean boundaryLine() throws RelayException {
        int eol = lineEnd();
        if (eol < 0) {
            if (cumulation.readable() > MAX_BOUNDARY_LINE) {
                throw new RelayException("sent a boundary line over " + MAX_BOUNDARY_LINE + " bytes");
            }
            return false;
        }
        acceptBoundary(line(eol), eol);
        return true;
    }

    /** Consumes a boundary line of {@code eol} bytes, or throws for one that is not ours or that closes the stream. */
    private void acceptBoundary(String line, int eol) throws RelayException {
        int dashes = 0;
        while (dashes < line.length() && line.charAt(dashes) == '-') {
            dashes++;
        }
        if (dashes < 2 || !line.startsWith(boundary.core(), dashes)) {
            throw wrongBoundary(line);
        }
        String rest = line.substring(dashes + boundary.core().length());
        if (rest.startsWith("--")) {
            throw new RelayException("ended the stream (sent the closing boundary)");
        }
        if (!rest.isBlank()) {
            throw wrongBoundary(line);
        }
        cumulation.skip(eol + 1);
        state = State.HEADERS;
        contentLength = -1;
        stampMicros = UpstreamStamp.NONE;
        headerBytes = 0;
    }

    private boolean headers() throws RelayException {
        ByteBuf bytes = cumulation.bytes();
        if (cumulation.readable() >= 2 && bytes.getUnsignedShort(bytes.readerIndex()) == 0xFFD8) {
            // JPEG bytes where a header or the blank line should be: the part's body starts here.
            startBody();
            return true;
        }
        int eol = lineEnd();
        if (eol < 0) {
            if (headerBytes + cumulation.readable() > MAX_HEADER_BYTES) {
                throw headersTooLong();
            }
            return false;
        }
        headerBytes += eol + 1;
        if (headerBytes > MAX_HEADER_BYTES) {
            throw headersTooLong();
        }
        String line = line(eol);
        cumulation.skip(eol + 1);
        if (line.isEmpty()) {
            startBody();
            return true;
        }
        int colon = line.indexOf(':');
        String name = colon > 0 ? line.substring(0, colon).trim() : "";
        if (name.equalsIgnoreCase("x-timestamp")) {
            stampMicros = UpstreamStamp.parse(line.substring(colon + 1), UpstreamStamp.nowMicros());
        }
        if (name.equalsIgnoreCase("content-length")) {
            String value = line.substring(colon + 1).trim();
            long length;
            try {
                length = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new RelayException("sent a part with Content-Length '" + RelayFailures.printable(value)
                        + "' (expected a number)");
            }
            if (length < 0 || length > maxPartBytes) {
                throw tooBig(length);
            }
            contentLength = (int) length;
        }
        return true;
    }

    private void startBody() throws RelayException {
        if (contentLength >= 0) {
            cumulation.reserve(contentLength + MAX_BOUNDARY_LINE + READ_SLACK);
            scanFrom = 0;
            state = State.BODY_SIZED;
            return;
        }
        if (boundary == null) {
            throw new RelayException("sent a part without Content-Length and names no multipart boundary to end it");
        }
        scanFrom = 0;
        state = State.BODY_SCAN;
    }

    /**
     * A part of known length is delivered as soon as its bytes are in when they end a JPEG (FF D9, perhaps padded),
     * else once the boundary is seen where they end. A part whose JPEG and boundary come before its length says
     * (counted too long), or whose boundary is not where its length says (counted too short), is skipped.
     */
    private boolean bodySized() throws RelayException {
        int readable = cumulation.readable();
        if (boundary != null) {
            // A boundary right after a JPEG's end, before the length is reached: the part was counted too long.
            for (int found = boundary.indexIn(cumulation.bytes(), scanFrom); found >= 0 && found < contentLength;
                    found = boundary.indexIn(cumulation.bytes(), found + 1)) {
                if (endsJpeg(partEnd(found))) {
                    return skipTo(found);
                }
            }
            scanFrom = Math.min(contentLength, Math.max(scanFrom, readable - boundary.length() - 1));
        }
        if (readable < contentLength) {
            return false;
        }
        if (boundary != null && !endsJpeg(trimPadding(contentLength))) {
            int boundary = boundaryAt(contentLength);
            if (boundary == 0) {
                return false; // not known until more bytes come
            }
            if (boundary < 0) {
                skipped.run();
                scanFrom = 0;
                state = State.RESYNC;
                return true;
            }
        }
        if (contentLength > 0) {
            frames.accept(cumulation.takeFrame(0, contentLength, contentLength), stampMicros);
        }
        state = State.AFTER_BODY;
        return true;
    }

    /** Skips a miscounted part whose boundary is at {@code found}. */
    private boolean skipTo(int found) {
        skipped.run();
        cumulation.skip(found);
        state = State.BOUNDARY_LINE;
        return true;
    }

    /** After a part's bytes, line ends and padding, then whether a boundary follows: 1 yes, -1 no, 0 not known yet. */
    private int boundaryAt(int offset) {
        ByteBuf bytes = cumulation.bytes();
        int base = bytes.readerIndex();
        int at = offset;
        int readable = cumulation.readable();
        while (at < readable && at - offset <= MAX_PADDING && isPadding(bytes.getByte(base + at))) {
            at++;
        }
        if (readable - at < boundary.length() + 1) {
            return at - offset > MAX_PADDING ? -1 : 0;
        }
        return boundary.endsAt(bytes, base + at) ? 1 : -1;
    }

    /** Where the part before a boundary at {@code found} ends: before the line end and any extra dashes. */
    private int partEnd(int found) {
        ByteBuf bytes = cumulation.bytes();
        int base = bytes.readerIndex();
        int end = found;
        while (end > 0 && bytes.getByte(base + end - 1) == '-') {
            end--; // a boundary written with more dashes than "--"
        }
        if (end > 0 && bytes.getByte(base + end - 1) == LF) {
            end--;
        }
        if (end > 0 && bytes.getByte(base + end - 1) == CR) {
            end--;
        }
        return end;
    }

    /** {@code end} less the padding (line ends, zeros) before it, at most {@value #MAX_PADDING} bytes. */
    private int trimPadding(int end) {
        ByteBuf bytes = cumulation.bytes();
        int base = bytes.readerIndex();
        int at = end;
        while (at > 0 && end - at < MAX_PADDING && isPadding(bytes.getByte(base + at - 1))) {
            at--;
        }
        return at;
    }

    /** Whether the bytes from the reader index to {@code end} are a JPEG's: SOI first, EOI last. */
    private boolean endsJpeg(int end) {
        ByteBuf bytes = cumulation.bytes();
        int base = bytes.readerIndex();
        return end >= 4 && bytes.getUnsignedShort(base) == 0xFFD8 && bytes.getUnsignedShort(base + end - 2) == 0xFFD9;
    }

    private static boolean isPadding(byte b) {
        return b == CR || b == LF || b == 0;
    }

    /** After a miscounted part: everything up to the next boundary is skipped. */
    private boolean resync() throws RelayException {
        int found = nextBoundary("after a part whose Content-Length was wrong");
        if (found < 0) {
            return false;
        }
        cumulation.skip(found);
        state = State.BOUNDARY_LINE;
        return true;
    }

    private boolean afterBody() throws RelayException {
        skipLineEnds();
        int eol = lineEnd();
        if (eol < 0) {
            if (cumulation.readable() > MAX_BOUNDARY_LINE) {
                if (boundary == null) {
                    throw lengthMismatch();
                }
                scanFrom = 0;
                state = State.RESYNC;
                return true;
            }
            return false;
        }
        String line = line(eol);
        if (!line.startsWith("--") && boundary != null) {
            // Bytes the part's Content-Length left out: the part went out whole (its JPEG ended there); skip them.
            scanFrom = 0;
            state = State.RESYNC;
            return true;
        }
        if (!line.startsWith("--")) {
            throw lengthMismatch();
        }
        if (boundary == null) {
            boundary = MultipartBoundary.of(line.trim());
        }
        acceptBoundary(line, eol);
        return true;
    }

    private boolean bodyScan() throws RelayException {
        int found = nextBoundary("(a part over the size limit, or a stream that does not use the boundary it announced)");
        if (found < 0) {
            return false;
        }
        int end = partEnd(found);
        if (end > maxPartBytes) {
            throw tooBig(end);
        }
        if (end > 0) {
            frames.accept(cumulation.takeFrame(0, end, found), stampMicros);
        } else {
            cumulation.skip(found);
        }
        state = State.BOUNDARY_LINE;
        return true;
    }

    /**
     * The offset of the next boundary from {@code scanFrom}, or -1, {@code scanFrom} then moved on to where one may
     * still start; throws, {@code why} ending the message, past the size limit without one.
     */
    private int nextBoundary(String why) throws RelayException {
        int found = boundary.indexIn(cumulation.bytes(), scanFrom);
        if (found < 0) {
            int readable = cumulation.readable();
            if (readable > maxPartBytes + MAX_BOUNDARY_LINE) {
                throw new RelayException("sent more than " + maxPartBytes + " bytes without a boundary '--"
                        + boundary.core() + "' " + why);
            }
            scanFrom = Math.max(0, readable - boundary.length() - 1);
        }
        return found;
    }

    private void skipLineEnds() {
        ByteBuf bytes = cumulation.bytes();
        int n = 0;
        int readable = cumulation.readable();
        while (n < readable) {
            byte b = bytes.getByte(bytes.readerIndex() + n);
            if (b != CR && b != LF) {
                break;
            }
            n++;
        }
        if (n > 0) {
            cumulation.skip(n);
        }
    }

    /** The offset of the next LF from the reader index, or -1. */
    private int lineEnd() {
        ByteBuf bytes = cumulation.bytes();
        int lf = bytes.indexOf(bytes.readerIndex(), bytes.writerIndex(), LF);
        return lf < 0 ? -1 : lf - bytes.readerIndex();
    }

    /** The line of {@code eol} bytes at the reader index, without its CR. */
    private String line(int eol) {
        ByteBuf bytes = cumulation.bytes();
        int length = eol > 0 && bytes.getByte(bytes.readerIndex() + eol - 1) == CR ? eol - 1 : eol;
        return bytes.toString(bytes.readerIndex(), length, StandardCharsets.ISO_8859_1);
    }

    private static boolean looksLikeHeader(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private RelayException wrongBoundary(String line) {
        return new RelayException("uses the boundary '" + RelayFailures.printable(line) + "', not the '--"
                + boundary.core() + "' its Content-Type announced");
    }

    private RelayException lengthMismatch() {
        return new RelayException("sent a part whose Content-Length (" + contentLength
                + ") does not end where its boundary starts");
    }

    private RelayException headersTooLong() {
        return new RelayException("sent part headers over " + MAX_HEADER_BYTES + " bytes (not an MJPEG stream?)");
    }

    private RelayException tooBig(long length) {
        return new RelayException("sent a part of " + length + " bytes, over the limit of " + maxPartBytes
                + " (raise it with --relay-max-part if the camera's JPEGs are really this big)");
    }
}
