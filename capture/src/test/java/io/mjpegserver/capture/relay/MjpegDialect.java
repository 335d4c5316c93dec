package io.mjpegserver.capture.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * One way real upstreams write an MJPEG stream: how the body is framed (chunked or until close), the
 * Content-Type's boundary (quoted, bare, with leading dashes, absent), part headers with or without
 * Content-Length, line ends, a leading boundary or not, a preamble.
 */
record MjpegDialect(String name, boolean chunked, String contentType, String delimiterLine, String eol,
        String lengthHeader, boolean leadingBoundary, String extraHeaders, String preamble) {

    static final MjpegDialect STANDARD = new MjpegDialect("standard (mjpg-streamer, ustreamer)", true,
            "multipart/x-mixed-replace;boundary=boundarydonotcross", "--boundarydonotcross", "\r\n",
            "Content-Length", true, "X-Timestamp: 1700000000.000000\r\n", "");

    static List<MjpegDialect> all() {
        return List.of(
                STANDARD,
                new MjpegDialect("close-delimited HTTP/1.0, quoted boundary", false,
                        "multipart/x-mixed-replace; boundary=\"frame\"", "--frame", "\r\n", "Content-Length", true, "", ""),
                new MjpegDialect("boundary given with its leading dashes", true,
                        "multipart/x-mixed-replace;boundary=--myboundary", "--myboundary", "\r\n", "Content-Length",
                        true, "", ""),
                new MjpegDialect("boundary given with dashes, body uses RFC form", true,
                        "multipart/x-mixed-replace;boundary=--myboundary", "----myboundary", "\r\n", "Content-Length",
                        true, "", ""),
                new MjpegDialect("no Content-Length, chunked", true,
                        "multipart/x-mixed-replace; boundary=BoundaryString", "--BoundaryString", "\r\n", null, true,
                        "", ""),
                new MjpegDialect("no Content-Length, close-delimited", false,
                        "multipart/x-mixed-replace;boundary=ipcamera", "--ipcamera", "\r\n", null, true, "", ""),
                new MjpegDialect("LF-only line ends", false,
                        "multipart/x-mixed-replace;boundary=lf", "--lf", "\n", "Content-Length", true, "", ""),
                new MjpegDialect("LF-only, no Content-Length", true,
                        "multipart/x-mixed-replace;boundary=lf", "--lf", "\n", null, true, "", ""),
                new MjpegDialect("missing leading boundary", true,
                        "multipart/x-mixed-replace;boundary=myboundary", "--myboundary", "\r\n", "Content-Length",
                        false, "", ""),
                new MjpegDialect("missing leading boundary, no Content-Length", false,
                        "multipart/x-mixed-replace;boundary=myboundary", "--myboundary", "\r\n", null, false, "", ""),
                new MjpegDialect("lower-case headers, padded length, extra headers (motion)", true,
                        "multipart/x-mixed-replace; boundary=BoundaryString", "--BoundaryString", "\r\n",
                        "content-length:   ", true, "X-Frame: 1\r\nCache-Control: no-cache\r\n", ""),
                new MjpegDialect("application/octet-stream, boundary only in the body (ffmpeg)", true,
                        "application/octet-stream", "--ffmpeg", "\r\n", "Content-length", true, "", ""),
                new MjpegDialect("a preamble before the first boundary", true,
                        "multipart/x-mixed-replace;boundary=b", "--b", "\r\n", "Content-Length", true, "",
                        "This is a multi-part message in MIME format.\r\n\r\n"));
    }

    /** The response head, for HTTP/1.1 chunked or HTTP/1.0 until close. */
    String head() {
        return (chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" : "HTTP/1.0 200 OK\r\nConnection: close\r\n")
                + "Content-Type: " + contentType + "\r\nCache-Control: no-cache\r\n\r\n";
    }

    /** Part {@code index} of the body, before any chunk framing. */
    byte[] part(int index, byte[] jpeg) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (index == 0) {
            out.write(preamble.getBytes(StandardCharsets.ISO_8859_1));
        }
        StringBuilder head = new StringBuilder();
        if (index > 0 || leadingBoundary) {
            head.append(delimiterLine).append(eol);
        }
        head.append("Content-Type: image/jpeg").append(eol);
        if (lengthHeader != null) {
            head.append(lengthHeader).append(lengthHeader.endsWith(" ") ? "" : ": ").append(jpeg.length).append(eol);
        }
        head.append(extraHeaders.replace("\r\n", eol)).append(eol);
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(jpeg);
        out.write(eol.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /**
     * Writes {@code body} as it would go on the wire: in chunks of random sizes (1 byte to 6 KiB, so every parser
     * state meets a read boundary) when chunked, in writes of random sizes otherwise.
     */
    static void writeBody(TestUpstream.Exchange exchange, boolean chunked, byte[] body, Random random) throws IOException {
        int at = 0;
        while (at < body.length) {
            int size = Math.min(body.length - at, random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 1 + random.nextInt(6144));
            if (chunked) {
                exchange.out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                exchange.out.write(body, at, size);
                exchange.out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            } else {
                exchange.out.write(body, at, size);
            }
            exchange.out.flush();
            at += size;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
