package io.mjpegserver.capture.relay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Answers an upstream's {@code 401} with the URL's user and password: Basic, or Digest (RFC 7616, preferred),
 * and each later request (a snapshot poll) carries the same scheme. Event loop only.
 */
final class Authorizer {

    /** What to do about a 401. */
    enum Outcome { ANSWER, NO_CREDENTIALS, REJECTED, UNSUPPORTED }

    private final String user;
    private final String password;
    private final SecureRandom random = new SecureRandom();
    private Challenge digest;
    private boolean basic;
    private int nonceCount;
    /** An answer was sent and no 200 has come since: a second 401 means the credentials are wrong. */
    private boolean answered;
    private String offered = "";

    /** {@code user} {@code null} when the URL has no user info. */
    Authorizer(String user, String password) {
        this.user = user;
        this.password = password == null ? "" : password;
    }

    /** The schemes the last 401 offered, for a message about one we cannot answer. */
    String offered() {
        return offered;
    }

    Outcome challenged(List<String> wwwAuthenticate) {
        List<Challenge> challenges = Challenge.parseAll(wwwAuthenticate);
        offered = String.join(", ", challenges.stream().map(Challenge::scheme).distinct().toList());
        if (user == null) {
            return Outcome.NO_CREDENTIALS;
        }
        Challenge chosenDigest = null;
        boolean chosenBasic = false;
        for (Challenge challenge : challenges) {
            if (challenge.scheme().equals("digest") && chosenDigest == null && supported(challenge)) {
                chosenDigest = challenge;
            } else if (challenge.scheme().equals("basic")) {
                chosenBasic = true;
            }
        }
        if (chosenDigest == null && !chosenBasic) {
            return Outcome.UNSUPPORTED;
        }
        boolean stale = chosenDigest != null && "true".equalsIgnoreCase(chosenDigest.param("stale"));
        if (answered && !stale) {
            return Outcome.REJECTED;
        }
        digest = chosenDigest;
        basic = chosenDigest == null;
        nonceCount = 0;
        answered = true;
        return Outcome.ANSWER;
    }

    /** A 200 came: the credentials work. */
    void succeeded() {
        answered = false;
    }

    /** The {@code Authorization} header for a request, or {@code null} before any challenge. */
    String authorization(String method, String requestTarget) {
        if (digest != null) {
            return digestAnswer(method, requestTarget);
        }
        if (basic) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    private static boolean supported(Challenge challenge) {
        if (challenge.param("nonce") == null || challenge.param("realm") == null) {
            return false;
        }
        String algorithm = challenge.params().getOrDefault("algorithm", "MD5").toUpperCase(Locale.ROOT);
        if (!List.of("MD5", "MD5-SESS", "SHA-256", "SHA-256-SESS").contains(algorithm)) {
            return false;
        }
        String qop = challenge.param("qop");
        return qop == null || qopHasAuth(qop);
    }

    private static boolean qopHasAuth(String qop) {
        for (String option : qop.split(",")) {
            if (option.trim().equalsIgnoreCase("auth")) {
                return true;
            }
        }
        return false;
    }

    private String digestAnswer(String method, String uri) {
        String realm = digest.param("realm");
        String nonce = digest.param("nonce");
        String algorithmParam = digest.param("algorithm");
        String algorithm = algorithmParam == null ? "MD5" : algorithmParam.toUpperCase(Locale.ROOT);
        String hash = algorithm.startsWith("SHA-256") ? "SHA-256" : "MD5";
        String cnonce = HexFormat.of().formatHex(randomBytes());
        String ha1 = hex(hash, user + ":" + realm + ":" + password);
        if (algorithm.endsWith("-SESS")) {
            ha1 = hex(hash, ha1 + ":" + nonce + ":" + cnonce);
        }
        String ha2 = hex(hash, method + ":" + uri);
        boolean qop = digest.param("qop") != null;
        String nc = String.format(Locale.ROOT, "%08x", ++nonceCount);
        String response = qop
                ? hex(hash, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
                : hex(hash, ha1 + ":" + nonce + ":" + ha2);
        StringBuilder header = new StringBuilder("Digest ")
                .append("username=\"").append(quote(user)).append("\", ")
                .append("realm=\"").append(quote(realm)).append("\", ")
                .append("nonce=\"").append(quote(nonce)).append("\", ")
                .append("uri=\"").append(quote(uri)).append("\", ");
        if (algorithmParam != null) {
            header.append("algorithm=").append(algorithmParam).append(", ");
        }
        header.append("response=\"").append(response).append('"');
        if (qop) {
            header.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
        }
        String opaque = digest.param("opaque");
        if (opaque != null) {
            header.append(", opaque=\"").append(quote(opaque)).append('"');
        }
        return header.toString();
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String quote(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static String hex(String algorithm, String text) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e); // every JDK has MD5 and SHA-256
        }
    }
}
