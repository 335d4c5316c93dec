package io.mjpegserver.server.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where JavaCPP unpacks JavaCV's natives (about 150 MB) on first start: {@code $XDG_CACHE_HOME/javacpp}, else
 * {@code $HOME/.javacpp/cache}, unless {@code -Dorg.bytedeco.javacpp.cachedir} is given. JavaCPP's own default follows
 * Java's {@code user.home}, from the account database, which a systemd unit's {@code Environment=HOME=} cannot move.
 * Set before any JavaCV class loads.
 */
final class NativeCache {

    static final String PROPERTY = "org.bytedeco.javacpp.cachedir";

    private NativeCache() {
    }

    /** The cache directory the environment asks for, or null to leave JavaCPP's default. */
    static String directory(Map<String, String> environment) {
        // The XDG base directory spec says relative paths are invalid and to be ignored; so for HOME.
        String cache = environment.get("XDG_CACHE_HOME");
        if (cache != null && cache.startsWith("/")) {
            return Path.of(cache, "javacpp").toString();
        }
        String home = environment.get("HOME");
        if (home != null && home.startsWith("/")) {
            return Path.of(home, ".javacpp", "cache").toString();
        }
        return null;
    }

    /** Sets {@link #PROPERTY} from {@code environment} unless it is set already. */
    static void locate(Map<String, String> environment) {
        String directory = directory(environment);
        if (System.getProperty(PROPERTY) == null && directory != null) {
            System.setProperty(PROPERTY, directory);
        }
    }
}
