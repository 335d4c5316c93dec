package io.mjpegserver.server.config;

/** HTTP Basic credentials every endpoint but {@code /healthz} requires. No message about them holds the password. */
public record Credentials(String user, String password) {

    public Credentials {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("empty user name (expected: USER:PASSWORD)");
        }
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("user name '" + user + "' holds a ':' (expected: USER:PASSWORD, the user without ':')");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("empty password (expected: USER:PASSWORD)");
        }
    }

    /**
     * Parses {@code user:password} (the password may contain ':'). A rejection never quotes the text, which may be a
     * password alone; the caller prefixes where the text came from.
     */
    public static Credentials parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no ':' in the value (expected: USER:PASSWORD)");
        }
        return new Credentials(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=***]";
    }
}
