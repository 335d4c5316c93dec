package io.mjpegserver.capture.relay;

import io.mjpegserver.capture.DisplayUrl;
import io.netty.handler.codec.http.HttpResponseStatus;

/** An upstream's status other than 200 and 401, in our words with the likely fix. */
final class HttpStatusWords {

    private HttpStatusWords() {
    }

    static String of(int code, String location) {
        // The standard reason phrase, not the upstream's own text.
        String status = code + " " + HttpResponseStatus.valueOf(code).reasonPhrase();
        if (code >= 300 && code < 400) {
            return "redirects (" + status + ")" + (location == null ? "" : " to "
                    + DisplayUrl.of(RelayFailures.printable(location))) + ": use the URL it redirects to";
        }
        return switch (code) {
            case 404 -> "answered " + status + " (check the path in the URL)";
            case 403 -> "answered " + status + " (the user in the URL may not see this stream)";
            case 503 -> "answered " + status + " (the camera may allow only so many viewers; it may recover)";
            default -> code >= 500
                    ? "answered " + status + " (a fault in the camera; it may recover)"
                    : "answered " + status + " (expected 200 with an MJPEG stream or a JPEG)";
        };
    }
}
