package io.mjpegserver.capture;

/**
 * A source could not be opened or read. The message is meant for the user: it names the source and,
 * where there is one, the fix.
 */
public final class SourceException extends Exception {

    private final boolean badSetting;

    public SourceException(String message) {
        this(message, null, false);
    }

    public SourceException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private SourceException(String message, Throwable cause, boolean badSetting) {
        super(message, cause);
        this.badSetting = badSetting;
    }

    /** A setting the source does not take (a control its camera lacks): the user's value is wrong, not the source. */
    public static SourceException badSetting(String message) {
        return new SourceException(message, null, true);
    }

    public boolean badSetting() {
        return badSetting;
    }
}
