package io.mjpegserver.server.interop;

import java.io.IOException;

/**
 * ZoneMinder's "simple" HTTP parse (its default Remote Method; {@code src/zm_remote_camera_http.cpp}), which
 * uses no regular expressions: the boundary is whatever follows {@code boundary=} on the Content-type line,
 * verbatim (leading dashes dropped, quotes kept), and a part's subheader lines must include one that starts with
 * {@code --} and that boundary.
 */
final class ZoneMinderSimpleMethod {

    private static final int SUBHEADER_LIMIT = 64 * 1024;

    private ZoneMinderSimpleMethod() {
    }

    /** The boundary line it looks for, {@code --} included; {@code null} when the Content-type names none. */
    static String boundary(String headText) {
        for (String line : headText.split("\r?\n")) {
            if (!line.regionMatches(true, 0, "Content-type:", 0, 13)) {
                continue;
            }
            String value = line.substring(13).stripLeading();
            int semicolon = value.indexOf(';');
            if (semicolon < 0) {
                return null;
            }
            String rest = value.substring(semicolon).replaceFirst("^[; ]+", "");
            if (!rest.regionMatches(true, 0, "boundary=", 0, 9)) {
                return null;
            }
            return "--" + rest.substring(9).replaceFirst("^-+", "");
        }
        return null;
    }

    /**
     * The next image: subheader lines up to a blank line ({@code CRLFCRLF} or {@code LFLF}), one of which must
     * start with {@code boundary}; then a JPEG that must start at once with {@code FF D8}, taken by its
     * Content-length or, lacking one, up to the next {@code CRLF--}.
     */
    static byte[] nextImage(ResponseBytes bytes, String boundary) throws IOException {
        boolean boundarySeen = false;
        String length = null;
        String type = null;
        int lines = 0;
        int parsed = 0;
        for (;;) {
            int breaks = 0;
            while (breaks < bytes.available() && isLineBreak(bytes.byteAt(breaks))) {
                breaks++;
            }
            int eol = breaks;
            while (eol < bytes.available() && !isLineBreak(bytes.byteAt(eol))) {
                eol++;
            }
            if (eol == bytes.available()) {
                bytes.fill(); // no complete line yet
                continue;
            }
            String separator = bytes.text(0, breaks);
            boolean blankLine = lines > 0 && (separator.equals("\r\n\r\n") || separator.equals("\n\n"));
            if (blankLine && boundarySeen) {
                bytes.skip(breaks);
                break;
            }
            String line = bytes.text(breaks, eol - breaks);
            lines++;
            if (!boundarySeen && line.regionMatches(true, 0, boundary, 0, boundary.length())) {
                boundarySeen = true;
            } else if (length == null && line.regionMatches(true, 0, "Content-length:", 0, 15)) {
                length = line.substring(15).strip();
            } else if (type == null && line.regionMatches(true, 0, "Content-type:", 0, 13)) {
                type = line.substring(13).strip().split(";")[0];
            }
            bytes.skip(eol);
            parsed += eol;
            if (parsed > SUBHEADER_LIMIT) {
                throw new AssertionError("ZoneMinder (simple) finds no subheader with a line starting '" + boundary
                        + "' in " + parsed + " bytes");
            }
        }
        if (!"image/jpeg".equalsIgnoreCase(type) && !"image/jpg".equalsIgnoreCase(type)) {
            throw new AssertionError("ZoneMinder (simple): Found unsupported content type '" + type + "'");
        }
        while (bytes.available() < 2) {
            bytes.fill();
        }
        if (bytes.byteAt(0) != 0xFF || bytes.byteAt(1) != 0xD8) {
            throw new AssertionError("ZoneMinder (simple): Found bogus jpeg header '" + bytes.text(0, 2) + "'");
        }
        if (length != null) {
            return bytes.take(Integer.parseInt(length));
        }
        int next;
        while ((next = bytes.text().indexOf("\r\n--")) < 0) {
            bytes.failIfMore(4 * 1024 * 1024, "ZoneMinder (simple)", "the end of an image");
            bytes.fill();
        }
        return bytes.take(next);
    }

    private static boolean isLineBreak(int b) {
        return b == '\r' || b == '\n';
    }
}
