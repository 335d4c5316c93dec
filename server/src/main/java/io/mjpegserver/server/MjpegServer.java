package io.mjpegserver.server;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureObserver;
import io.mjpegserver.capture.CaptureService;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.http.Endpoints;
import io.mjpegserver.server.http.HttpServerInitializer;
import io.mjpegserver.server.http.PipelineNames;
import io.mjpegserver.server.observe.ServerMetrics;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.ClientLimits;
import io.mjpegserver.server.stream.MultipartFormat;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.stream.StreamResponder;
import io.mjpegserver.server.stream.StreamTotals;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server: one capture thread filling the frame ring, and Netty event loops fanning each frame out
 * to every client. {@link #close()} stops it and releases everything it made.
 */
public final class MjpegServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MjpegServer.class);

    private final ServerConfig config;
    private final FatalErrorHandler fatal;
    private final CaptureConfig captureConfig;
    private final Transport transport;
    private final FrameRing ring;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup channels;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Broadcaster broadcaster;
    private final List<Consumer<String>> sourceLossListeners = new CopyOnWriteArrayList<>();
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private CaptureService capture;
    private Channel serverChannel;
    private boolean closed;

    private MjpegServer(ServerConfig config, CaptureConfig captureConfig, ByteBufAllocator alloc, FatalErrorHandler fatal) {
        this.config = config;
        this.fatal = fatal;
        this.captureConfig = captureConfig;
        this.transport = Transport.best();
        this.ring = new FrameRing(captureConfig.ringSize());
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), transport.ioHandlerFactory());
        this.channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        this.broadcaster = new Broadcaster(workers, new MultipartFormat(config.boundary()), alloc, config.repeat(),
                config.clientTimeout(), new ClientLimits(config.maxClients(), config.maxClientsPerAddress()), metrics, fatal);
        ring.addListener(broadcaster);
        metrics.watch(this::captureStats, ring, broadcaster);
    }

    /**
     * Starts on the source {@code capture} names, with pooled direct buffers; an {@link Error} on the capture
     * thread ends the process ({@link FatalErrorHandler#HALT}).
     */
    public static MjpegServer start(ServerConfig config, CaptureConfig capture) throws StartupException {
        return start(config, capture, FrameSources.create(capture), PooledByteBufAllocator.DEFAULT, FatalErrorHandler.HALT);
    }

    // TEMPORARY until feeds land: serves the first feed only, through the single-source start; the feeds
    // engineer replaces these two methods at merge.
    /** Starts {@code feeds} (the first is the default feed), with pooled direct buffers and {@link FatalErrorHandler#HALT}. */
    public static MjpegServer start(ServerConfig config, List<io.mjpegserver.server.feed.FeedConfig> feeds) throws StartupException {
        return start(config, feeds, PooledByteBufAllocator.DEFAULT, FatalErrorHandler.HALT);
    }

    // TEMPORARY until feeds land
    public static MjpegServer start(ServerConfig config, List<io.mjpegserver.server.feed.FeedConfig> feeds, ByteBufAllocator alloc,
            FatalErrorHandler fatal) throws StartupException {
        io.mjpegserver.server.feed.FeedConfig first = feeds.get(0);
        if (first.capture().source() instanceof io.mjpegserver.capture.SourceSpec.Url url) {
            throw new StartupException("feed " + first.name() + ": " + url.describe() + ": url sources are not served yet", null);
        }
        if (feeds.size() > 1 || first.options().onDemand() || first.options().dropSameFrames()) {
            log.warn("serving feed {} only, always on and every frame: further feeds, on-demand and drop-same-frames are"
                    + " not served yet", first.name());
        }
        return start(config, first.capture(), FrameSources.create(first.capture()), alloc, fatal);
    }

    /** As {@link #start(ServerConfig, CaptureConfig, FrameSource, ByteBufAllocator, FatalErrorHandler)} with {@link FatalErrorHandler#HALT}. */
    public static MjpegServer start(ServerConfig config, CaptureConfig capture, FrameSource source, ByteBufAllocator alloc)
            throws StartupException {
        return start(config, capture, source, alloc, FatalErrorHandler.HALT);
    }

    /**
     * Opens {@code source} (the server owns it from here), binds, and starts streaming. Every frame and
     * every connection's buffers come from {@code alloc}. An {@link Error} on any of the server's threads (the
     * capture threads, the event loops) goes to {@code fatal}.
     *
     * @throws StartupException when the source cannot be opened, the TLS files cannot be read, or the
     *                          address cannot be bound
     */
    public static MjpegServer start(ServerConfig config, CaptureConfig capture, FrameSource source, ByteBufAllocator alloc,
            FatalErrorHandler fatal) throws StartupException {
        MjpegServer server = new MjpegServer(config, capture, alloc, fatal);
        try {
            SslContext ssl = config.tls() == null ? null : TlsContexts.forServer(config.tls());
            server.capture = CaptureService.start(source, capture.source().describe(), capture.quality(), server.ring,
                    alloc, server.observer(), fatal);
            server.bind(alloc, ssl);
            return server;
        } catch (SourceException e) {
            server.close();
            throw new StartupException(e.getMessage(), e);
        } catch (StartupException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** What the capture thread reports: to the metrics, and a failure also to the source-loss listeners. */
    private CaptureObserver observer() {
        return new CaptureObserver() {
            @Override
            public void captured(long grabNanos, long encodeNanos, int bytes) {
                metrics.captured(grabNanos, encodeNanos, bytes);
            }

            @Override
            public void sourceFailed(String reason) {
                for (Consumer<String> listener : sourceLossListeners) {
                    listener.accept(reason);
                }
            }
        };
    }

    private void bind(ByteBufAllocator alloc, SslContext ssl) throws StartupException {
        List<Map.Entry<String, String>> streamHeaders = config.allowOrigin() == null ? List.of()
                : List.of(Map.entry("Access-Control-Allow-Origin", config.allowOrigin()));
        StreamResponder stream = new StreamResponder(broadcaster, streamHeaders, PipelineNames.CODEC,
                PipelineNames.REQUEST_PHASE);
        Endpoints endpoints = new Endpoints(ring, stream, this::state, this::sourceView, metrics.registry());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .handler(new AcceptErrors(fatal))
                .childHandler(new HttpServerInitializer(config, endpoints, channels, ssl, metrics, fatal));
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
        log.info("serving {} {}x{} ({}) on {} ({} transport)", captureConfig.source().describe(), capture.width(),
                capture.height(), capture.passesThrough() ? "passed through" : "encoded at quality " + captureConfig.quality(),
                String.join(" ", MachineAddresses.urls(ssl == null ? "http" : "https",
                        (InetSocketAddress) serverChannel.localAddress(), MachineAddresses.ofThisMachine())), transport());
    }

    /**
     * Calls {@code listener} each time the source is lost (a failed or hung grab, an error while publishing), with
     * the reason in words for users; on the capture thread or its watchdog: it must not block.
     */
    public void onSourceLoss(Consumer<String> listener) {
        sourceLossListeners.add(listener);
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
        CaptureService service = capture;
        return service == null ? new CaptureStats(false, 0, 0, 0, 0, 0, -1, 0, "not started", 0, 0, 0) : service.stats();
    }

    /** Every open stream client, as of now. */
    public List<SessionStats> streamClients() {
        return broadcaster.sessions();
    }

    /** The Prometheus registry {@code /metrics} shows. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name().toLowerCase(Locale.ROOT);
    }

    /** What {@code /state} shows. */
    public StateView state() {
        List<StateView.Client> clients = new ArrayList<>();
        for (SessionStats s : broadcaster.sessions()) {
            clients.add(new StateView.Client(s.remote(), s.path(), Instant.ofEpochMilli(s.connectedMillis()).toString(),
                    s.framesSent(), s.framesSkipped(), s.bytesSent(), s.pendingBytes(), round(s.fps())));
        }
        StreamTotals totals = broadcaster.totals();
        StateView.Server server = new StateView.Server(Version.get(), transport(), config.host(),
                serverChannel == null ? config.port() : port(), startedAt.toString(),
                round((System.nanoTime() - startedNanos) / 1e9), totals.sessionsStarted(), totals.framesSent(),
                totals.framesSkipped(), totals.bytesSent());
        StateView.Ring ringView = new StateView.Ring(ring.capacity(), ring.occupancy(), ring.bytes(), ring.published());
        return new StateView(server, sourceView(), ringView, clients);
    }

    /** The source part of {@link #state()}. */
    public StateView.Source sourceView() {
        CaptureStats stats = captureStats();
        CaptureService service = capture;
        return new StateView.Source(captureConfig.source().kind(), captureConfig.source().describe(), stats.online(),
                stats.lastError(), captureConfig.size() == null ? null : captureConfig.size().toString(),
                service == null ? captureConfig.fps() : service.pacingFps(),
                service == null ? 0 : service.width(), service == null ? 0 : service.height(), round(stats.actualFps()),
                stats.framesCaptured(), stats.noSignalFrames(), stats.reopens(), round(stats.lastGrabNanos() / 1e6),
                round(stats.lastEncodeNanos() / 1e6),
                stats.sinceLastFrameNanos() < 0 ? -1 : round(stats.sinceLastFrameNanos() / 1e9), stats.failures(),
                stats.hangs(), stats.internalErrors());
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
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
