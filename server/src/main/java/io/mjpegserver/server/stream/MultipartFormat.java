package io.mjpegserver.server.stream;

import io.mjpegserver.capture.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.regex.Pattern;

/**
 * The exact bytes of a {@code multipart/x-mixed-replace} stream, as mjpg-streamer and ustreamer send them
 * and as ffmpeg, VLC, browsers and NVRs parse them. The constant pieces are built once, as unreleasable direct
 * buffers; only a part's header is built per frame.
 *
 * <p>A chunked (HTTP/1.1) body carries each part as exactly one chunk:
 * {@code <hex>\r\n <part headers> <jpeg> \r\n--B\r\n \r\n}. A raw (HTTP/1.0) body is the same without the
 * chunk framing, and ends when the connection closes. An HTTP/2 body is the raw bytes in DATA frames, and ends
 * with the stream.
 */
public final class MultipartFormat {

    /** What mjpg-streamer and ustreamer send; NVR presets written for them match on it. */
    public static final String DEFAULT_BOUNDARY = "boundarydonotcross";
    private static final Pattern BOUNDARY = Pattern.compile("[A-Za-z0-9]{16,60}");

    private final String boundary;
    private final ByteBuf chunkedPreamble;
    private final ByteBuf rawPreamble;
    private final ByteBuf chunkedTail;
    private final ByteBuf rawTail;
    private final int rawTailLength;
    private final ByteBuf lastChunk = WireBytes.ascii("0\r\n\r\n");
    private final ByteBuf aheadPreamble;
    private final ByteBuf aheadTail;

    public MultipartFormat(String boundary) {
        this.boundary = checkBoundary(boundary);
        String delimiter = "--" + boundary + "\r\n";
        rawPreamble = WireBytes.ascii(delimiter);
        chunkedPreamble = WireBytes.ascii(Integer.toHexString(delimiter.length()) + "\r\n" + delimiter + "\r\n");
        rawTail = WireBytes.ascii("\r\n" + delimiter);
        chunkedTail = WireBytes.ascii("\r\n" + delimiter + "\r\n");
        rawTailLength = rawTail.readableBytes();
        String aheadFields = "Content-Type: image/jpeg\r\n\r\n";
        aheadPreamble = WireBytes.ascii(delimiter + aheadFields);
        aheadTail = WireBytes.ascii("\r\n" + delimiter + aheadFields);
    }

    /** @throws IllegalArgumentException naming the value and what is expected */
    public static String checkBoundary(String boundary) {
        if (boundary == null || !BOUNDARY.matcher(boundary).matches()) {
            throw new IllegalArgumentException("boundary: '" + boundary + "' (expected: 16 to 60 letters or digits)");
        }
        return boundary;
    }

    public String boundary() {
        return boundary;
    }

    /** The response's {@code Content-Type}: boundary as the first and only parameter, unquoted. */
    public String contentType() {
        return "multipart/x-mixed-replace;boundary=" + boundary;
    }

    /** The first body bytes, {@code --B\r\n}; a duplicate the caller writes (nothing to release). */
    ByteBuf preamble(boolean chunked) {
        return (chunked ? chunkedPreamble : rawPreamble).duplicate();
    }

    /** What follows each JPEG: CRLF and the next delimiter (and the chunk's CRLF); nothing to release. */
    ByteBuf tail(boolean chunked) {
        return (chunked ? chunkedTail : rawTail).duplicate();
    }

    /** Length of the delimiter that follows each JPEG, {@code \r\n--B\r\n}: the tail without chunk framing. */
    int delimiterLength() {
        return rawTailLength;
    }

    /**
     * With the headers ahead: the first body bytes, the delimiter and the first part's fields,
     * {@code --B\r\nContent-Type: image/jpeg\r\n\r\n}; nothing to release. See {@link #aheadTail()}.
     */
    ByteBuf aheadPreamble() {
        return aheadPreamble.duplicate();
    }

    /**
     * With the headers ahead, what follows each JPEG: the delimiter and the next part's fields at once (only its
     * type, as the next frame's length is not known yet), so a reader that reads a part's fields as soon as the
     * part before ends finds them there already; nothing to release.
     */
    ByteBuf aheadTail() {
        return aheadTail.duplicate();
    }

    /** The terminating chunk of an HTTP/1.1 body; nothing to release. */
    ByteBuf lastChunk() {
        return lastChunk.duplicate();
    }

    /**
     * Builds the shared header of {@code frame}'s part, for both framings at once: the chunk-size line
     * followed by the part headers ({@code X-Source-Online: false} on a placeholder, as ustreamer's
     * {@code X-UStreamer-Online}). The raw framing uses the slice after {@code chunkPrefix} bytes. The
     * caller owns the returned buffer.
     */
    PartHeader header(Frame frame, ByteBufAllocator alloc) {
        long micros = frame.wallClockMicros();
        String headers = "Content-Type: image/jpeg\r\n"
                + "Content-Length: " + frame.size() + "\r\n"
                + "X-Timestamp: " + (micros / 1_000_000) + '.' + pad6(micros % 1_000_000) + "\r\n"
                + "X-Frame-Sequence: " + frame.sequence() + "\r\n"
                + "X-Source-Online: " + frame.live() + "\r\n"
                + "\r\n";
        int chunkSize = headers.length() + frame.size() + rawTailLength;
        String chunkLine = Integer.toHexString(chunkSize) + "\r\n";
        ByteBuf buf = alloc.directBuffer(chunkLine.length() + headers.length());
        ByteBufUtil.writeAscii(buf, chunkLine);
        ByteBufUtil.writeAscii(buf, headers);
        return new PartHeader(buf, chunkLine.length());
    }

    private static String pad6(long value) {
        String digits = Long.toString(value);
        return "000000".substring(digits.length()) + digits;
    }

    /**
     * The whole chunked part around {@code frame}'s JPEG, in the room its source kept ({@link Frame#claimRoom}): the
     * chunk-size line and fields of {@code header} written just before the JPEG, the tail just after; returned
     * as a retained slice the caller owns, from the chunk line through the chunk's CRLF. {@code null} when the
     * JPEG has no room, or too little (then the part goes as separate buffers). The JPEG is not touched, and the
     * room gets the same bytes whoever frames this JPEG (they depend on the frame and this format only).
     */
    ByteBuf frameInRoom(Frame frame, PartHeader header) {
        ByteBuf jpeg = frame.content();
        int head = header.buf().readableBytes();
        int tail = chunkedTail.readableBytes();
        if (head > Frame.HEADROOM - Frame.CLAIM_BYTES || tail > Frame.TAILROOM
                || !Frame.claimRoom(jpeg, frame.sequence())) {
            return null;
        }
        int start = jpeg.readerIndex() - head;
        jpeg.setBytes(start, header.buf(), header.buf().readerIndex(), head);
        jpeg.setBytes(jpeg.writerIndex(), chunkedTail, chunkedTail.readerIndex(), tail);
        return jpeg.retainedSlice(start, head + jpeg.readableBytes() + tail);
    }

    /** A part's header buffer (owned by whoever holds this) and where its raw-framing slice starts. */
    record PartHeader(ByteBuf buf, int chunkPrefix) {
    }
}
