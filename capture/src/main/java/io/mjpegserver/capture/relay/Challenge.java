package io.mjpegserver.capture.relay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header: the scheme (lower case) and its
 * parameters (names lower case, values unquoted). A header may hold several challenges
 * ({@code Digest realm="a", nonce="b", Basic realm="a"}), and a response several headers.
 */
record Challenge(String scheme, Map<String, String> params) {

    static List<Challenge> parseAll(List<String> headers) {
        List<Challenge> out = new ArrayList<>();
        for (String header : headers) {
            parse(header, out);
        }
        return out;
    }

    String param(String name) {
        return params.get(name);
    }

    private static void parse(String header, List<Challenge> out) {
        int at = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = null;
        while (at < n) {
            while (at < n && (header.charAt(at) == ' ' || header.charAt(at) == ',' || header.charAt(at) == '\t')) {
                at++;
            }
            int tokenStart = at;
            while (at < n && header.charAt(at) != ' ' && header.charAt(at) != '=' && header.charAt(at) != ','
                    && header.charAt(at) != '\t') {
                at++;
            }
            if (tokenStart == at) {
                break;
            }
            String token = header.substring(tokenStart, at);
            int probe = at;
            while (probe < n && header.charAt(probe) == ' ') {
                probe++;
            }
            if (probe < n && header.charAt(probe) == '=' && params != null) {
                at = probe + 1;
                while (at < n && header.charAt(at) == ' ') {
                    at++;
                }
                String value;
                if (at < n && header.charAt(at) == '"') {
                    StringBuilder quoted = new StringBuilder();
                    at++;
                    while (at < n && header.charAt(at) != '"') {
                        if (header.charAt(at) == '\\' && at + 1 < n) {
                            at++;
                        }
                        quoted.append(header.charAt(at++));
                    }
                    at++;
                    value = quoted.toString();
                } else {
                    int valueStart = at;
                    while (at < n && header.charAt(at) != ',') {
                        at++;
                    }
                    value = header.substring(valueStart, at).trim();
                }
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else {
                // A token not followed by '=' starts the next challenge.
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                }
                scheme = token.toLowerCase(Locale.ROOT);
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, params));
        }
    }
}
