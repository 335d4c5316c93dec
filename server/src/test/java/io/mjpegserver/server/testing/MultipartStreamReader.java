package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A strict reader of our stream's bytes from a socket: the response head, then (de-chunked when the response
 * is chunked) each part, checking every delimiter, header and Content-Length on the way. Any deviation from
 * the wire format of {@link io.mjpegserver.server.stream.MultipartFormat} throws {@link AssertionError} naming the offending bytes.
 */
public final class MultipartStreamReader {

    /** One part as read: its headers (names lower-cased) and body. */
    public record Part(Map<String, String> headers, byte[] body) {
        public long sequence() {
            return Long.parseLong(headers.get("x-frame-sequence"));
        }

        public String timestamp() {
            return headers.get("x-timestamp");
        }
    }

    private final InputStream raw;
    private final String statusLine;
    private final Map<String, String> headers;
    private final String boundary;
    private final boolean chunked;
    private long chunkRemaining;

    /** Reads and checks the response head and the first delimiter. */
    public MultipartStreamReader(InputStream in) throws IOException {
        this.raw = in;
        this.statusLine = line(raw);
        this.headers = new LinkedHashMap<>();
        for (String line = line(raw); !line.isEmpty(); line = line(raw)) {
            int colon = line.indexOf(':');
            check(colon > 0, "header line without a colon: " + line);
            headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String type = headers.get("content-type");
        check(type != null && type.startsWith("multipart/x-mixed-replace;boundary="), "Content-Type: " + type);
        this.boundary = type.substring("multipart/x-mixed-replace;boundary=".length());
        check(boundary.matches("[A-Za-z0-9]{16,60}"), "boundary: " + boundary);
        check(!headers.containsKey("content-length"), "a top-level Content-Length");
        this.chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        String first = bodyLine();
        check(first.equals("--" + boundary), "body must start with the delimiter, got: " + first);
    }

    public String statusLine() {
        return statusLine;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public String boundary() {
        return boundary;
    }

    public boolean chunked() {
        return chunked;
    }

    /** Reads one part and the delimiter that must follow it at once. */
    public Part next() throws IOException {
        Map<String, String> partHeaders = new LinkedHashMap<>();
        for (String line = bodyLine(); !line.isEmpty(); line = bodyLine()) {
            int colon = line.indexOf(':');
            check(colon > 0, "part header without a colon: " + line);
            partHeaders.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        check("image/jpeg".equals(partHeaders.get("content-type")), "part Content-Type: " + partHeaders.get("content-type"));
        String length = partHeaders.get("content-length");
        check(length != null && length.matches("[0-9]+"), "part Content-Length: " + length);
        check(partHeaders.getOrDefault("x-timestamp", "").matches("[0-9]+\\.[0-9]{6}"),
                "part X-Timestamp: " + partHeaders.get("x-timestamp"));
        byte[] body = bodyBytes(Integer.parseInt(length));
        check((body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xD8, "JPEG does not start with FF D8");
        check((body[body.length - 2] & 0xFF) == 0xFF && (body[body.length - 1] & 0xFF) == 0xD9, "JPEG does not end with FF D9");
        check(bodyLine().isEmpty(), "CRLF after the JPEG");
        String delimiter = bodyLine();
        check(delimiter.equals("--" + boundary), "delimiter after the part, got: " + delimiter);
        return new Part(partHeaders, body);
    }

    private String bodyLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = bodyByte();
            if (b == '\r') {
                check(bodyByte() == '\n', "CR without LF in the body");
                return line.toString(US_ASCII);
            }
            check(b != '\n', "bare LF in the body");
            line.write(b);
            check(line.size() < 4096, "a body line over 4 KiB");
        }
    }

    private byte[] bodyBytes(int n) throws IOException {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; ) {
            if (chunked && chunkRemaining == 0) {
                nextChunk();
            }
            int want = (int) (chunked ? Math.min(n - i, chunkRemaining) : n - i);
            int got = raw.read(bytes, i, want);
            if (got < 0) {
                throw new EOFException("stream ended inside a JPEG");
            }
            i += got;
            if (chunked) {
                chunkRemaining -= got;
            }
        }
        return bytes;
    }

    private int bodyByte() throws IOException {
        if (chunked && chunkRemaining == 0) {
            nextChunk();
        }
        int b = raw.read();
        if (b < 0) {
            throw new EOFException("stream ended");
        }
        if (chunked) {
            chunkRemaining--;
        }
        return b;
    }

    private void nextChunk() throws IOException {
        if (chunkTerminated) {
            check(line(raw).isEmpty(), "CRLF after a chunk");
        }
        String size = line(raw);
        check(size.matches("[0-9a-f]+"), "chunk size line: " + size);
        chunkRemaining = Long.parseLong(size, 16);
        if (chunkRemaining == 0) {
            throw new EOFException("last chunk: the stream ended");
        }
        chunkTerminated = true;
    }

    private boolean chunkTerminated;

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ended in a line: " + line.toString(US_ASCII));
            }
            if (b == '\r') {
                check(in.read() == '\n', "CR without LF");
                return line.toString(US_ASCII);
            }
            check(b != '\n', "bare LF");
            line.write(b);
            check(line.size() < 8192, "a line over 8 KiB");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("wire format: " + what);
        }
    }
}
