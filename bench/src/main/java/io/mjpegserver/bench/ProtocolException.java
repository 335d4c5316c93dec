package io.mjpegserver.bench;

/**
 * The stream broke the wire format: one line saying what was expected. Thrown per broken stream, so it
 * carries no stack trace.
 */
final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message, null, false, false);
    }
}
