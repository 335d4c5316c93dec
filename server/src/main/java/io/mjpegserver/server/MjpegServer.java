package io.mjpegserver.server;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureService;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.http.HttpServerInitializer;
import io.mjpegserver.server.http.PipelineNames;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.MultipartFormat;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.stream.StreamResponder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server: one capture thread filling the frame ring, and Netty event loops fanning each frame out
 * to every client. {@link #close()} stops it and releases everything it made.
 */
public final class MjpegServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MjpegServer.class);

    /**
     * A stream channel turns unwritable once more than this is queued in user space, so a client holds at
     * most about one frame beyond its socket buffer before it starts skipping.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final ServerConfig config;
    private final Transport transport;
    private final FrameRing ring;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup channels;
    private final Broadcaster broadcaster;
    private CaptureService capture;
    private Channel serverChannel;
    private boolean closed;

    private MjpegServer(ServerConfig config, CaptureConfig captureConfig, ByteBufAllocator alloc) {
        this.config = config;
        this.transport = Transport.best();
        this.ring = new FrameRing(captureConfig.ringSize());
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), transport.ioHandlerFactory());
        this.channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        this.broadcaster = new Broadcaster(workers, new MultipartFormat(config.boundary()), alloc, config.repeat(),
                config.clientTimeout());
        ring.addListener(broadcaster);
    }

    /** Starts on the source {@code capture} names, with pooled direct buffers. */
    public static MjpegServer start(ServerConfig config, CaptureConfig capture) throws StartupException {
        return start(config, capture, FrameSources.create(capture), PooledByteBufAllocator.DEFAULT);
    }

    /**
     * Opens {@code source} (the server owns it from here), binds, and starts streaming. Every frame and
     * every connection's buffers come from {@code alloc}.
     *
     * @throws StartupException when the source cannot be opened or the address cannot be bound
     */
    public static MjpegServer start(ServerConfig config, CaptureConfig capture, FrameSource source, ByteBufAllocator alloc)
            throws StartupException {
        MjpegServer server = new MjpegServer(config, capture, alloc);
        try {
            server.capture = CaptureService.start(source, capture.source().describe(), server.ring, alloc);
            server.bind(alloc);
            return server;
        } catch (SourceException e) {
            server.close();
            throw new StartupException(e.getMessage(), e);
        } catch (StartupException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void bind(ByteBufAllocator alloc) throws StartupException {
        StreamResponder stream = new StreamResponder(broadcaster, List.of(), PipelineNames.REQUEST_PHASE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new HttpServerInitializer(ring, stream, channels));
        if (config.sendBuffer() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, config.sendBuffer());
        }
        ChannelFuture bound = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
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
        serverChannel = bound.channel();
        log.info("serving {} on http://{}:{}/ ({} transport)", capture.width() + "x" + capture.height(),
                config.host(), port(), transport.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The port bound, useful with port 0. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public ServerConfig config() {
        return config;
    }

    /** The ring frames go through; read-only use (its frames are released by the ring). */
    public FrameRing ring() {
        return ring;
    }

    public CaptureStats captureStats() {
        return capture.stats();
    }

    /** Every open stream client, as of now. */
    public List<SessionStats> streamClients() {
        return broadcaster.sessions();
    }

    /** {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Stops accepting, stops capturing, ends every stream (HTTP/1.1 streams get their last chunk), closes
     * every connection and releases every buffer. Idempotent; takes at most about two seconds.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        if (capture != null) {
            capture.close();
        }
        broadcaster.close();
        channels.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        Future<?> bossDone = boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Future<?> workersDone = workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        bossDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
        workersDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
        ring.close();
    }
}
