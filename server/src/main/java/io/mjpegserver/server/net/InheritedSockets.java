package io.mjpegserver.server.net;

import io.mjpegserver.server.config.ListenSocket;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Looks at a file descriptor the process inherited (from systemd's socket activation) before the server takes it:
 * it must be a listening stream socket, TCP or unix. Linux only, through Netty's native epoll library.
 */
public final class InheritedSockets {

    // Linux's values (the same on every architecture it runs on).
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private InheritedSockets() {
    }

    /**
     * The listening socket {@code fd} is.
     *
     * @param what how messages name where {@code fd} came from, such as {@code LISTEN_FDS=1 (fd 3)}
     * @throws IllegalArgumentException when it is not one the server can serve on, or the native transport is missing;
     *                                  the message says which, after {@code what}
     */
    public static ListenSocket.Inherited probe(int fd, String what) {
        if (!Epoll.isAvailable()) {
            throw new IllegalArgumentException(what + ": taking a socket from systemd needs Linux's native epoll transport,"
                    + " which did not load here (" + Epoll.unavailabilityCause() + ")");
        }
        // Not closed: closing it would close the inherited descriptor the server is about to serve on.
        Socket socket;
        int domain;
        try {
            socket = new Socket(fd);
            domain = socket.getIntOpt(SOL_SOCKET, SO_DOMAIN);
            if (socket.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM) {
                throw new IllegalArgumentException(what + " is not a stream socket (expected: ListenStream= in the .socket unit)");
            }
            if (socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) == 0) {
                throw new IllegalArgumentException(what + " is not listening (expected: a listening socket, Accept=no in the"
                        + " .socket unit)");
            }
        } catch (IOException | ChannelException e) {
            throw new IllegalArgumentException(what + " is not a socket (" + e.getMessage() + "; expected: a listening"
                    + " socket from a .socket unit with ListenStream=)");
        }
        try {
            if (domain == AF_UNIX) {
                DomainSocketAddress local = socket.localDomainSocketAddress();
                return new ListenSocket.Inherited(fd, true, "unix socket " + (local == null ? "(unnamed)" : local.path()));
            }
            if (domain == AF_INET || domain == AF_INET6) {
                InetSocketAddress local = socket.localAddress();
                return new ListenSocket.Inherited(fd, false, local.getAddress().getHostAddress() + " port " + local.getPort());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + ": cannot read the socket's address (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException(what + " is a socket of address family " + domain + " (expected: TCP over IPv4 or"
                + " IPv6, or a unix socket)");
    }
}
