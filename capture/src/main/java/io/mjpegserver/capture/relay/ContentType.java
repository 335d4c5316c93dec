package io.mjpegserver.capture.relay;

import java.util.Locale;

/**
 * An upstream's {@code Content-Type}, read as leniently as real cameras need (boundary quoted or bare, any case).
 *
 * @param mediaType lower case, without parameters; empty when the header is absent
 * @param boundary  the boundary parameter as given (quotes removed), {@code null} when absent or empty
 */
record ContentType(String mediaType, String boundary) {

    static ContentType parse(String header) {
        if (header == null) {
            return new ContentType("", null);
        }
        int semicolon = header.indexOf(';');
        String type = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        String boundary = null;
        int at = semicolon;
        while (at >= 0 && at < header.length()) {
            int nameStart = at + 1;
            int equals = header.indexOf('=', nameStart);
            if (equals < 0) {
                break;
            }
            String name = header.substring(nameStart, equals).trim();
            int valueStart = equals + 1;
            while (valueStart < header.length() && header.charAt(valueStart) == ' ') {
                valueStart++;
            }
            String value;
            int next;
            if (valueStart < header.length() && header.charAt(valueStart) == '"') {
                int close = header.indexOf('"', valueStart + 1);
                value = close < 0 ? header.substring(valueStart + 1) : header.substring(valueStart + 1, close);
                next = close < 0 ? -1 : header.indexOf(';', close);
            } else {
                next = header.indexOf(';', valueStart);
                value = (next < 0 ? header.substring(valueStart) : header.substring(valueStart, next)).trim();
            }
            if (name.equalsIgnoreCase("boundary") && !value.isEmpty()) {
                boundary = value;
            }
            at = next;
        }
        return new ContentType(type, boundary);
    }

    boolean isJpeg() {
        return mediaType.equals("image/jpeg") || mediaType.equals("image/jpg") || mediaType.equals("image/pjpeg");
    }

    boolean isMultipart() {
        return mediaType.startsWith("multipart/");
    }

    /** What cameras and ffmpeg (application/octet-stream) send for a stream without naming it: sniff the body. */
    boolean isUnnamed() {
        return mediaType.isEmpty() || mediaType.equals("application/octet-stream");
    }
}
