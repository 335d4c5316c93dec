package io.mjpegserver.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.mjpegserver.server.config.Credentials;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * HTTP Basic authentication against one user. The check compares SHA-256 digests with
 * {@link MessageDigest#isEqual}, so its time depends on neither the password's length nor where a guess
 * goes wrong.
 */
final class BasicAuth {

    /** What a 401 carries, so browsers and NVRs ask for credentials. */
    static final String CHALLENGE = "Basic realm=\"mjpeg-server\", charset=\"UTF-8\"";

    private final byte[] expected;

    BasicAuth(Credentials credentials) {
        this.expected = sha256((credentials.user() + ':' + credentials.password()).getBytes(UTF_8));
    }

    /** Whether an {@code Authorization} header value (possibly null) carries the right credentials. */
    boolean accepts(String authorization) {
        byte[] given = new byte[0];
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                given = Base64.getDecoder().decode(authorization.substring(6).trim());
            } catch (IllegalArgumentException notBase64) {
                given = new byte[0];
            }
        }
        return MessageDigest.isEqual(expected, sha256(given));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
