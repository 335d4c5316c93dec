package io.mjpegserver.server.config;

/** The server could not start for a reason the user can fix; the message says which and how. */
public final class StartupException extends Exception {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
