package io.mjpegserver.capture.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * How a relay connects: the transport of the caller's group, a non-blocking DNS resolver, and the pipeline
 * {@code tls} (https only), {@code http}, {@code idle} (the read timeout), {@code relay} ({@link RelayHandler}).
 * Shared by one {@link HttpRelaySource}'s sessions; each session closes its own resolver.
 */
final class RelayConnector {

    /** Netty splits content into pieces of at most this; bigger pieces mean fewer calls per frame. */
    private static final int MAX_CHUNK = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final EventLoopGroup group;
    private final ByteBufAllocator alloc;
    private final RelayTarget target;
    private final RelayOptions options;
    private final SslContext ssl;
    private final boolean epoll;

    RelayConnector(EventLoopGroup group, ByteBufAllocator alloc, RelayTarget target, RelayOptions options, SslContext ssl) {
        this.group = group;
        this.alloc = alloc;
        this.target = target;
        this.options = options;
        this.ssl = ssl;
        this.epoll = Epoll.isAvailable() && group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    EventLoop nextLoop() {
        return group.next();
    }

    boolean isLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /** A non-blocking resolver for a host name; the caller closes it. */
    AddressResolverGroup<InetSocketAddress> newResolver(EventLoop loop) {
        Class<? extends DatagramChannel> datagram = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        return new DnsAddressResolverGroup(new DnsNameResolverBuilder(loop)
                .datagramChannelType(datagram)
                .queryTimeoutMillis(options.connectTimeout().toMillis()));
    }

    /** Where to connect: resolved for a literal address, to be resolved by {@code resolver} otherwise. */
    InetSocketAddress remote() {
        return isLiteral(target.host())
                ? new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(target.host()), target.port())
                : InetSocketAddress.createUnresolved(target.host(), target.port());
    }

    Bootstrap bootstrap(EventLoop loop, RelaySession session, AddressResolverGroup<InetSocketAddress> resolver) {
        Class<? extends SocketChannel> channel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channel)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline pipeline = ch.pipeline();
                        if (ssl != null) {
                            SslHandler tls = ssl.newHandler(ch.alloc(), target.host(), target.port());
                            tls.setHandshakeTimeoutMillis(options.connectTimeout().toMillis());
                            pipeline.addLast("tls", tls);
                        }
                        pipeline.addLast("http", new HttpClientCodec(new HttpDecoderConfig()
                                .setMaxChunkSize(MAX_CHUNK)
                                .setMaxHeaderSize(MAX_HEADER_BYTES)
                                .setStrictLineParsing(false), // cameras that end header lines with LF only
                                false, false));
                        pipeline.addLast("idle", new IdleStateHandler(
                                options.readTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
                        pipeline.addLast("relay", new RelayHandler(session));
                    }
                });
        if (resolver != null) {
            bootstrap.resolver(resolver);
        }
        return bootstrap;
    }
}
