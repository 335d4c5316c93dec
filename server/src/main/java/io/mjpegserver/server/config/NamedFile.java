package io.mjpegserver.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file the user named with a flag ({@code --config}, {@code --auth-file}, {@code --tls-cert}, ...), read whole.
 * When it cannot be read, the one-line reason names the flag, the file and why: it does not exist, it is a
 * directory or no regular file at all, it is larger than {@link #MAX_BYTES}, or the account the server runs as may
 * not read it. A FIFO or a device is refused before it is opened, so none can hang the start or fill the memory.
 */
public final class NamedFile {

    /** Far more than any config, password or PEM file holds. */
    public static final int MAX_BYTES = 1024 * 1024;
    private static final String EXPECTED = " (expected: a regular file of at most 1 MiB)";

    private NamedFile() {
    }

    /** The bytes of {@code path}, given by {@code flag}. */
    public static byte[] read(String flag, Path path) throws StartupException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw new StartupException(flag + " " + path + " is a directory, not a file", null);
            }
            if (!attributes.isRegularFile()) {
                throw new StartupException(flag + " " + path + " is not a regular file but a device, a FIFO or a socket"
                        + EXPECTED, null);
            }
            if (attributes.size() > MAX_BYTES) {
                throw new StartupException(flag + " " + path + " is " + attributes.size() + " bytes" + EXPECTED, null);
            }
            // The file may have grown since: read no more than the limit allows.
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw new StartupException(flag + " " + path + " is over " + MAX_BYTES + " bytes" + EXPECTED, null);
            }
            return bytes;
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
