package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;

/**
 * Builds stream bytes exactly as the server sends them (README, "The stream, byte for byte"): the head, the
 * first delimiter, then per part its headers, JPEG and the next delimiter; with HTTP/1.1 each of those is one
 * chunk.
 */
final class StreamBytes {

    static final String BOUNDARY = "boundarydonotcross";

    private final boolean chunked;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private StreamBytes(boolean chunked) {
        this.chunked = chunked;
    }

    static StreamBytes chunked() {
        StreamBytes s = new StreamBytes(true);
        s.ascii("HTTP/1.1 200 OK\r\n"
                + "Content-Type: multipart/x-mixed-replace;boundary=" + BOUNDARY + "\r\n"
                + "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"
                + "Pragma: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        s.chunk(("--" + BOUNDARY + "\r\n").getBytes(US_ASCII));
        return s;
    }

    static StreamBytes raw() {
        StreamBytes s = new StreamBytes(false);
        s.ascii("HTTP/1.0 200 OK\r\n"
                + "Content-Type: multipart/x-mixed-replace;boundary=" + BOUNDARY + "\r\n"
                + "Connection: close\r\n\r\n");
        s.ascii("--" + BOUNDARY + "\r\n");
        return s;
    }

    /** A JPEG-looking body: FF D8, {@code n - 4} filler bytes that include FF D8 and CR LF, FF D9. */
    static byte[] jpeg(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 7 == 0 ? 0xFF : i % 7 == 1 ? 0xD8 : i % 7 == 2 ? '\r' : i % 7 == 3 ? '\n' : i);
        }
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[n - 2] = (byte) 0xFF;
        b[n - 1] = (byte) 0xD9;
        return b;
    }

    /** A well-formed part with a correct Content-Length. */
    StreamBytes part(long sequence, String timestamp, byte[] body) {
        return part("Content-Type: image/jpeg\r\nContent-Length: " + body.length + "\r\nX-Timestamp: " + timestamp
                + "\r\nX-Frame-Sequence: " + sequence + "\r\n\r\n", body);
    }

    /** A part with the given header block (ending in the empty line), body, and the delimiter after it. */
    StreamBytes part(String headers, byte[] body) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(headers.getBytes(US_ASCII));
        p.writeBytes(body);
        p.writeBytes(("\r\n--" + BOUNDARY + "\r\n").getBytes(US_ASCII));
        return chunk(p.toByteArray());
    }

    StreamBytes lastChunk() {
        return ascii("0\r\n\r\n");
    }

    StreamBytes ascii(String text) {
        out.writeBytes(text.getBytes(US_ASCII));
        return this;
    }

    private StreamBytes chunk(byte[] data) {
        if (chunked) {
            ascii(Integer.toHexString(data.length) + "\r\n");
            out.writeBytes(data);
            ascii("\r\n");
        } else {
            out.writeBytes(data);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
