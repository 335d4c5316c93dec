package io.mjpegserver.capture.relay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The server side of RFC 7616 Digest (MD5, qop=auth) for tests, written apart from the relay's client side. */
final class DigestServer {

    private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))");
    private final String realm;
    private final String user;
    private final String password;
    private final String nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    private final String opaque = "5ccc069c403ebaf9f0171e9517f40e41";

    DigestServer(String realm, String user, String password) {
        this.realm = realm;
        this.user = user;
        this.password = password;
    }

    String challengeHeader() {
        return "WWW-Authenticate: Basic realm=\"" + realm + "\"\r\n"
                + "WWW-Authenticate: Digest realm=\"" + realm + "\", qop=\"auth,auth-int\", algorithm=MD5, nonce=\""
                + nonce + "\", opaque=\"" + opaque + "\"\r\n";
    }

    boolean accepts(String request) throws Exception {
        Matcher line = Pattern.compile("\r\nAuthorization: Digest (.*)\r\n").matcher(request);
        if (!line.find()) {
            return false;
        }
        Map<String, String> p = new HashMap<>();
        Matcher m = PARAM.matcher(line.group(1));
        while (m.find()) {
            p.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        }
        String uri = request.substring(4, request.indexOf(' ', 4));
        if (!user.equals(p.get("username")) || !nonce.equals(p.get("nonce")) || !opaque.equals(p.get("opaque"))
                || !uri.equals(p.get("uri")) || !"auth".equals(p.get("qop"))) {
            return false;
        }
        String ha1 = md5(user + ":" + realm + ":" + password);
        String ha2 = md5("GET:" + uri);
        String expected = md5(ha1 + ":" + nonce + ":" + p.get("nc") + ":" + p.get("cnonce") + ":auth:" + ha2);
        return expected.equals(p.get("response"));
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
