package io.mjpegserver.capture;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A URL as every log line, message and {@code /state} shows it: no user name or password, and no query value
 * (cameras take tokens and passwords there), as in {@code http://host:8080/video.mjpg?token=***}. The one place a
 * source's URL is turned into text for people.
 */
public final class DisplayUrl {

    private static final String HIDDEN = "***";

    private DisplayUrl() {
    }

    /** {@code uri} without its user info, query values and fragment; {@code ""} for {@code null}. */
    public static String of(URI uri) {
        if (uri == null) {
            return "";
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            return of(uri.toString(), true);
        }
        StringBuilder shown = new StringBuilder();
        if (uri.getScheme() != null) {
            shown.append(uri.getScheme()).append(':');
        }
        String authority = uri.getRawAuthority();
        shown.append("//").append(authority.substring(authority.lastIndexOf('@') + 1));
        if (uri.getRawPath() != null) {
            shown.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            shown.append('?').append(hideValues(uri.getRawQuery()));
        }
        if (uri.getRawFragment() != null) {
            shown.append('#').append(HIDDEN);
        }
        return shown.toString();
    }

    /**
     * {@code text}, a URL as a user wrote it, shown as {@link #of(URI)} shows it, even when it does not parse (a
     * password with a {@code /} or a space in it): then everything between {@code ://} and the last {@code @} goes.
     */
    public static String of(String text) {
        if (text == null) {
            return "";
        }
        try {
            return of(new URI(text));
        } catch (URISyntaxException notAUri) {
            return of(text, false);
        }
    }

    private static String of(String text, boolean parsed) {
        String rest = text;
        String fragment = "";
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = "#" + HIDDEN;
            rest = rest.substring(0, hash);
        }
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            // Unparsed, a password may hold '/', '?' or '@': drop up to the last '@' rather than guess.
            int at = parsed ? rest.indexOf('@', scheme) : rest.lastIndexOf('@');
            int end = parsed ? endOfAuthority(rest, scheme + 3) : rest.length();
            if (at > scheme && at < end) {
                rest = rest.substring(0, scheme + 3) + rest.substring(at + 1);
            }
        }
        int question = rest.indexOf('?');
        if (question >= 0) {
            rest = rest.substring(0, question + 1) + hideValues(rest.substring(question + 1));
        }
        return rest + fragment;
    }

    private static int endOfAuthority(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/' || c == '?') {
                return i;
            }
        }
        return text.length();
    }

    /** {@code a=1&b=2&flag} as {@code a=***&b=***&***}: every value hidden, every name kept. */
    private static String hideValues(String query) {
        StringBuilder shown = new StringBuilder(query.length());
        String[] pairs = query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i];
            if (i > 0) {
                shown.append('&');
            }
            int equals = pair.indexOf('=');
            if (equals >= 0) {
                shown.append(pair, 0, equals + 1).append(HIDDEN);
            } else if (!pair.isEmpty()) {
                shown.append(HIDDEN);
            }
        }
        return shown.toString();
    }
}
