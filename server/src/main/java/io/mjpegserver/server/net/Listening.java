package io.mjpegserver.server.net;

import io.mjpegserver.server.config.ListenConfig;
import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.config.StartupException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens the server's listening channel for a {@link ListenSocket} on a bootstrap that has everything else: binds a
 * TCP address, makes a unix socket, or takes over a socket systemd passed. Failures are said in words for users.
 */
public final class Listening {

    private Listening() {
    }

    /** The listening channel, registered and accepting; the caller closes it. */
    public static Channel open(ServerBootstrap bootstrap, ListenConfig config, Transport transport)
            throws StartupException {
        ListenSocket listen = config.socket();
        if (listen instanceof ListenSocket.Unix unix) {
            return unix(bootstrap, unix, transport);
        }
        if (listen instanceof ListenSocket.Inherited inherited) {
            return inherited(bootstrap, inherited, transport);
        }
        return tcp(bootstrap, transport, config);
    }

    private static Channel tcp(ServerBootstrap bootstrap, Transport transport, ListenConfig config) throws StartupException {
        ChannelFuture bound = tcpOptions(bootstrap).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String reason = String.valueOf(cause.getMessage());
            if (reason.contains("Address already in use")) {
                throw new StartupException("port " + config.port() + " on " + config.host()
                        + " is already in use: stop the other server or choose another --port", cause);
            }
            throw new StartupException("cannot listen on " + config.host() + ":" + config.port() + ": " + reason
                    + " (check --host and --port)", cause);
        }
        return bound.channel();
    }

    private static ServerBootstrap tcpOptions(ServerBootstrap bootstrap) {
        return bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
    }

    private static Channel unix(ServerBootstrap bootstrap, ListenSocket.Unix unix, Transport transport)
            throws StartupException {
        Path path = unix.path();
        if (transport != Transport.EPOLL) {
            throw new StartupException("cannot listen on unix socket " + path + ": unix sockets need Linux's native epoll"
                    + " transport, which did not load here (" + Epoll.unavailabilityCause() + "): use --host and --port", null);
        }
        removeStale(path);
        ChannelFuture bound = bootstrap.channel(EpollServerDomainSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .bind(new DomainSocketAddress(path.toString())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new StartupException("cannot listen on unix socket " + path + ": " + bound.cause().getMessage()
                    + " (check that its directory exists and this user may write there)", bound.cause());
        }
        if (unix.mode() != null) {
            try {
                Files.setPosixFilePermissions(path, unix.mode());
            } catch (IOException | UnsupportedOperationException e) {
                bound.channel().close().awaitUninterruptibly();
                throw new StartupException("cannot set the permissions of unix socket " + path + ": " + e, e);
            }
        }
        return bound.channel();
    }

    /**
     * Removes a socket file nobody listens on any more (a server that was killed leaves its file behind), as
     * ustreamer does; refuses a socket a live server listens on, and anything that is not a socket.
     */
    private static void removeStale(Path path) throws StartupException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new StartupException("cannot listen on unix socket " + path + ": " + e, e);
        }
        if (!attributes.isOther()) {
            throw new StartupException("cannot listen on unix socket " + path + ": a "
                    + (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "directory" : "file") + " is there, and it is"
                    + " not a socket: it is left alone (expected: a path where the socket can be made)", null);
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new StartupException("unix socket " + path + " is in use: another server listens on it (stop it, or"
                    + " choose another --unix path)", null);
        } catch (ConnectException stale) {
            try {
                Files.delete(path);
            } catch (IOException e) {
                throw new StartupException("cannot remove the stale unix socket " + path + ": " + e, e);
            }
        } catch (IOException e) {
            throw new StartupException("cannot listen on unix socket " + path + ": " + e, e);
        }
    }

    private static Channel inherited(ServerBootstrap bootstrap, ListenSocket.Inherited inherited, Transport transport)
            throws StartupException {
        if (transport != Transport.EPOLL) {
            throw new StartupException("cannot take the socket systemd passed: it needs Linux's native epoll transport", null);
        }
        int fd = inherited.fd();
        if (inherited.unix()) {
            bootstrap.channelFactory(() -> new EpollServerDomainSocketChannel(fd, true));
        } else {
            tcpOptions(bootstrap).channelFactory(() -> new EpollServerSocketChannel(fd));
        }
        // Already bound and listening: registering it with the event loop is all it takes to accept.
        ChannelFuture registered = bootstrap.register().awaitUninterruptibly();
        if (!registered.isSuccess()) {
            throw new StartupException("cannot serve on the socket systemd passed (" + inherited.description() + "): "
                    + registered.cause().getMessage(), registered.cause());
        }
        return registered.channel();
    }
}
