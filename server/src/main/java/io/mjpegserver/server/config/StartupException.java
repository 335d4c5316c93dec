package io.mjpegserver.server.config;

/** The server could not start for a reason the user can fix; the message says which and how. */
public final class StartupException extends Exception {

    private final String feed;

    public StartupException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param feed the name of the feed whose source failed to start, or null when it is no feed's */
    public StartupException(String message, Throwable cause, String feed) {
        super(message, cause);
        this.feed = feed;
    }

    /** The name of the feed whose source failed to start, or null. */
    public String feed() {
        return feed;
    }
}
