package io.mjpegserver.server.feed;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.config.FeedConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The names of an origin's feeds, in its order (its default first), read from its {@code /state}. Blocking: called
 * on the mirror's own thread, never on an event loop.
 */
final class OriginListing {

    /** /state lists every client of the origin; a busy origin's is large, but never this large. */
    private static final int MAX_BYTES = 32 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OriginListing() {
    }

    /** Why the origin gave no listing, in words for users. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** The feed names {@code origin}'s {@code /state} lists, each asked within {@code timeout}. */
    static List<String> read(URI origin, Duration timeout) throws Unreachable {
        URI state = origin.resolve("state");
        HttpURLConnection connection;
        try {
            URI plain = new URI(state.getScheme(), null, state.getHost(), state.getPort(), state.getPath(), null, null);
            connection = (HttpURLConnection) plain.toURL().openConnection();
        } catch (Exception e) {
            throw new Unreachable("cannot ask " + state.getPath() + ": " + e.getMessage());
        }
        try {
            connection.setConnectTimeout((int) timeout.toMillis());
            connection.setReadTimeout((int) timeout.toMillis());
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Connection", "close");
            String user = origin.getRawUserInfo();
            if (user != null) {
                String credentials = URLDecoder.decode(user.replace("+", "%2B"), UTF_8);
                connection.setRequestProperty("Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(UTF_8)));
            }
            int status = connection.getResponseCode();
            if (status == 401) {
                throw new Unreachable("it answered 401 to /state: give its user and password in the URL,"
                        + " http://user:password@host:port/");
            }
            if (status != 200) {
                throw new Unreachable("it answered " + status + " to /state");
            }
            byte[] body;
            try (InputStream in = connection.getInputStream()) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
            if (body.length > MAX_BYTES) {
                throw new Unreachable("its /state is over " + MAX_BYTES + " bytes");
            }
            return names(body);
        } catch (IOException e) {
            throw new Unreachable(words(e));
        } finally {
            connection.disconnect();
        }
    }

    /** The names in a {@code /state} document. */
    static List<String> names(byte[] state) throws Unreachable {
        JsonNode feeds;
        try {
            feeds = JSON.readTree(state).path("feeds");
        } catch (IOException e) {
            throw new Unreachable("its /state is not JSON: is it an mjpeg-server?");
        }
        if (!feeds.isArray()) {
            throw new Unreachable("its /state lists no feeds: is it an mjpeg-server? (other servers: url: per feed"
                    + " in a --config file)");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode feed : feeds) {
            String name = feed.path("name").asText("");
            try {
                names.add(FeedConfig.checkName(name));
            } catch (IllegalArgumentException e) {
                throw new Unreachable("its /state lists a feed named '" + name + "', not a feed name of ours");
            }
        }
        return names;
    }

    private static String words(IOException e) {
        String kind = e.getClass().getSimpleName();
        String message = e.getMessage();
        return switch (kind) {
            case "ConnectException" -> message == null ? "connection refused" : message.toLowerCase(Locale.ROOT);
            case "SocketTimeoutException" -> "no answer in time";
            case "UnknownHostException" -> "unknown host " + message;
            default -> message == null ? kind : message;
        };
    }
}
