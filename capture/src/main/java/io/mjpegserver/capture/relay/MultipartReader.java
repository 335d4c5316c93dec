package io.mjpegserver.capture.relay;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a {@code multipart/x-mixed-replace} body as it arrives and hands each part's bytes on as a retained slice
 * of the {@link FrameCumulation}, never decoded. Accepts what real cameras send: parts with or without
 * {@code Content-Length} (without: the part ends at the next boundary), LF-only line ends, a missing leading
 * boundary, a preamble, extra part headers, the boundary written with more or fewer leading dashes than announced,
 * and, when the response named none (ffmpeg says {@code application/octet-stream}), the boundary of the body's
 * first line.
 *
 * <p>A part whose {@code Content-Length} is wrong (its JPEG and the boundary end before it, or the boundary is not
 * where it ends) is not delivered: the reader resynchronises on the next boundary, as browsers and ffmpeg do, and
 * tells {@code skipped}; the connection goes on.
 *
 * <p>Memory is bounded: a part over the size limit, part headers over {@value #MAX_HEADER_BYTES} bytes, or a
 * preamble (garbage) over {@value #MAX_PREAMBLE_BYTES} bytes end the stream with a {@link RelayException}.
 *
 * <p>Event loop only.
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
    private final Consumer<ByteBuf> frames;
    private final Runnable skipped;
    /** The boundary without its leading dashes; {@code null} until known. */
    private String core;
    /** {@code "--" + core}, what a part's end is searched for. */
    private byte[] delimiter;
    private State state = State.START;
    private int contentLength = -1;
    private int headerBytes;
    private int scanFrom;
    private int preambleBytes;

    /**
     * @param boundary the boundary the response's {@code Content-Type} gave, or {@code null} to take it from the
     *                 body's first line
     * @param frames   takes each part's bytes, and ownership of them
     * @param skipped  told of each part not delivered for a wrong {@code Content-Length}
     */
    MultipartReader(FrameCumulation cumulation, int maxPartBytes, String boundary, Consumer<ByteBuf> frames,
            Runnable skipped) throws RelayException {
        this.cumulation = cumulation;
        this.maxPartBytes = maxPartBytes;
        this.frames = frames;
        this.skipped = skipped;
        if (boundary != null) {
            adopt(boundary);
        }
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
            if (core == null) {
                adopt(line.trim());
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
        if (core == null) {
            throw new RelayException("sent a body that names no multipart boundary (its Content-Type has none, and the"
                    + " body does not start with '--boundary'): not an MJPEG stream");
        }
        state = State.PREAMBLE;
        return true;
    }

    private boolean preamble() throws RelayException {
        int found = indexOfDelimiter(0);
        if (found >= 0) {
            cumulation.skip(found);
            state = State.BOUNDARY_LINE;
            return true;
        }
        // Keep what a boundary still arriving may start with, and the LF before it.
        int drop = Math.max(0, cumulation.readable() - delimiter.length - 2);
        cumulation.skip(drop);
        preambleBytes += drop;
        if (preambleBytes > MAX_PREAMBLE_BYTES) {
            throw new RelayException("sent more than " + MAX_PREAMBLE_BYTES + " bytes without the boundary '--" + core
                    + "' its Content-Type announced (garbage, or another boundary)");
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
        if (dashes < 2 || !line.startsWith(core, dashes)) {
            throw wrongBoundary(line);
        }
        String rest = line.substring(dashes + core.length());
        if (rest.startsWith("--")) {
            throw new RelayException("ended the stream (sent the closing boundary)");
        }
        if (!rest.isBlank()) {
            throw wrongBoundary(line);
        }
        cumulation.skip(eol + 1);
        state = State.HEADERS;
        contentLength = -1;
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
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
            String value = line.substring(colon + 1).trim();
            long length;
            try {
                length = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new RelayException("sent a part with Content-Length '" + printable(value) + "' (expected a number)");
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
        if (core == null) {
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
        if (core != null) {
            // A boundary right after a JPEG's end, before the length is reached: the part was counted too long.
            for (int found = indexOfDelimiter(scanFrom); found >= 0 && found < contentLength;
                    found = indexOfDelimiter(found + 1)) {
                if (endsJpeg(partEnd(found))) {
                    return skipTo(found);
                }
            }
            scanFrom = Math.min(contentLength, Math.max(scanFrom, readable - delimiter.length - 1));
        }
        if (readable < contentLength) {
            return false;
        }
        if (core != null && !endsJpeg(trimPadding(contentLength))) {
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
            frames.accept(cumulation.takeFrame(0, contentLength, contentLength));
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
        if (readable - at < delimiter.length + 1) {
            return at - offset > MAX_PADDING ? -1 : 0;
        }
        return matchesAt(bytes, base + at) && endsToken(bytes.getByte(base + at + delimiter.length)) ? 1 : -1;
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
        int found = indexOfDelimiter(scanFrom);
        if (found >= 0) {
            cumulation.skip(found);
            state = State.BOUNDARY_LINE;
            return true;
        }
        int readable = cumulation.readable();
        if (readable > maxPartBytes + MAX_BOUNDARY_LINE) {
            throw new RelayException("sent more than " + maxPartBytes + " bytes without a boundary '--" + core
                    + "' after a part whose Content-Length was wrong");
        }
        scanFrom = Math.max(0, readable - delimiter.length - 1);
        return false;
    }

    private boolean afterBody() throws RelayException {
        skipLineEnds();
        int eol = lineEnd();
        if (eol < 0) {
            if (cumulation.readable() > MAX_BOUNDARY_LINE) {
                if (core == null) {
                    throw lengthMismatch();
                }
                scanFrom = 0;
                state = State.RESYNC;
                return true;
            }
            return false;
        }
        String line = line(eol);
        if (!line.startsWith("--") && core != null) {
            // Bytes the part's Content-Length left out: the part went out whole (its JPEG ended there); skip them.
            scanFrom = 0;
            state = State.RESYNC;
            return true;
        }
        if (!line.startsWith("--")) {
            throw lengthMismatch();
        }
        if (core == null) {
            adopt(line.trim());
        }
        acceptBoundary(line, eol);
        return true;
    }

    private boolean bodyScan() throws RelayException {
        int found = indexOfDelimiter(scanFrom);
        if (found < 0) {
            int readable = cumulation.readable();
            if (readable > maxPartBytes + MAX_BOUNDARY_LINE) {
                throw new RelayException("sent more than " + maxPartBytes + " bytes without a boundary '--" + core
                        + "' (a part over the size limit, or a stream that does not use the boundary it announced)");
            }
            scanFrom = Math.max(0, readable - delimiter.length - 1);
            return false;
        }
        int end = partEnd(found);
        if (end > maxPartBytes) {
            throw tooBig(end);
        }
        if (end > 0) {
            frames.accept(cumulation.takeFrame(0, end, found));
        } else {
            cumulation.skip(found);
        }
        state = State.BOUNDARY_LINE;
        return true;
    }

    private void adopt(String boundary) throws RelayException {
        int dashes = 0;
        while (dashes < boundary.length() && boundary.charAt(dashes) == '-') {
            dashes++;
        }
        String stripped = boundary.substring(dashes);
        if (stripped.isEmpty() || stripped.length() > 200) {
            throw new RelayException("names the multipart boundary '" + printable(boundary)
                    + "' (expected 1 to 200 characters)");
        }
        core = stripped;
        delimiter = ("--" + stripped).getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The offset (from the reader index) of the next boundary at or after {@code from}, or -1: {@code "--" + core}
     * at the start of a line (after LF and any more dashes, or at the reader index) and followed by a line end,
     * dashes or padding, so that the same bytes inside a JPEG (which a short boundary meets often) are not taken
     * for one. A match whose next byte has not come yet is not reported until it has.
     */
    private int indexOfDelimiter(int from) {
        ByteBuf bytes = cumulation.bytes();
        int base = bytes.readerIndex();
        int last = bytes.writerIndex() - delimiter.length - 1;
        int at = base + from;
        while (at <= last) {
            int dash = bytes.indexOf(at, last + 1, delimiter[0]);
            if (dash < 0) {
                return -1;
            }
            if (matchesAt(bytes, dash) && startsLine(bytes, base, dash) && endsToken(bytes.getByte(dash + delimiter.length))) {
                return dash - base;
            }
            at = dash + 1;
        }
        return -1;
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
        return new RelayException("uses the boundary '" + printable(line) + "', not the '--" + core
                + "' its Content-Type announced");
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

    /** Upstream text fit for a one-line message: short, printable ASCII only. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 60; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return text.length() > 60 ? out + "..." : out.toString();
    }
}
