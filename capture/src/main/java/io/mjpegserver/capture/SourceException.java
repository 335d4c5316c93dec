package io.mjpegserver.capture;

/**
 * A source could not be opened or read. The message is meant for the user: it names the source and,
 * where there is one, the fix.
 */
public final class SourceException extends Exception {

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
