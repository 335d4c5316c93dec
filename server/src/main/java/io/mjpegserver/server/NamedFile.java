package io.mjpegserver.server;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A file the user named with a flag ({@code --auth-file}, {@code --tls-cert}, ...), read whole. When it cannot
 * be read, the one-line reason names the flag, the file and why: it does not exist, it is a directory, or the
 * account the server runs as may not read it.
 */
public final class NamedFile {

    private NamedFile() {
    }

    /** The bytes of {@code path}, given by {@code flag}. */
    public static byte[] read(String flag, Path path) throws StartupException {
        if (Files.isDirectory(path)) {
            throw new StartupException(flag + " " + path + " is a directory, not a file", null);
        }
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new StartupException(flag + " " + path + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new StartupException(flag + " " + path + ": permission denied (the server runs as user "
                    + System.getProperty("user.name") + ")", e);
        } catch (IOException e) {
            throw new StartupException(flag + " " + path + " cannot be read: " + e.getMessage(), e);
        }
    }
}
