package io.mjpegserver.server.config;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Where the server takes its connections from: the TCP address {@link ListenConfig} names, a unix domain socket it
 * makes, or a listening socket systemd passed to it (socket activation). The two last need Linux's epoll transport.
 */
public sealed interface ListenSocket {

    /** {@link ListenConfig#host()} and {@link ListenConfig#port()}. */
    ListenSocket TCP = new Tcp();

    /** The TCP address {@link ListenConfig} names. */
    record Tcp() implements ListenSocket {
    }

    /**
     * A unix domain socket made at {@code path} (a stale socket file left there is replaced; anything else there is
     * refused) and removed when the server closes.
     *
     * @param mode the socket file's permissions, or {@code null} for what the umask gives
     */
    record Unix(Path path, Set<PosixFilePermission> mode) implements ListenSocket {
        public Unix {
            if (path == null) {
                throw new IllegalArgumentException("unix: no path (expected: the path of the socket file to make)");
            }
            mode = mode == null ? null : Set.copyOf(mode);
        }
    }

    /**
     * A listening socket inherited as file descriptor {@code fd}, a unix one or TCP; the server closes its copy and
     * never removes a socket file (its maker does).
     *
     * @param description what it listens on, for the log: {@code 0.0.0.0:8080} or a socket file's path
     */
    record Inherited(int fd, boolean unix, String description) implements ListenSocket {
    }

    /** Whether the clients come over a unix socket, and so have no IP address. */
    default boolean unixDomain() {
        return this instanceof Unix || this instanceof Inherited inherited && inherited.unix();
    }
}
