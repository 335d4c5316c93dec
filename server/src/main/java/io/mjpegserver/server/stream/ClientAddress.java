package io.mjpegserver.server.stream;

import io.netty.channel.Channel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A client's address in logs and {@code /state}: its IP address and port ({@code /192.168.1.20:50312}), or, for a
 * client of a unix socket (which has no address; the proxy in front knows who it serves), {@code unix:} and the
 * socket's path.
 */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static String of(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        if (remote instanceof InetSocketAddress) {
            return remote.toString();
        }
        if (channel.localAddress() instanceof DomainSocketAddress local) {
            return "unix:" + local.path();
        }
        return remote instanceof DomainSocketAddress ? "unix:" : String.valueOf(remote);
    }
}
