package io.mjpegserver.server;

import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.supervise.SupervisorThreads;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.config.ListenConfig;
import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.StartupException;
import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.feed.FeedCapture;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.feed.FeedStarter;
import io.mjpegserver.server.feed.Feeds;
import io.mjpegserver.server.feed.Walls;
import io.mjpegserver.capture.derive.DeriveWorkers;
import io.mjpegserver.server.config.MirrorConfig;
import io.mjpegserver.server.feed.OriginMirror;
import io.mjpegserver.server.http.Endpoints;
import io.mjpegserver.server.http.HttpServerInitializer;
import io.mjpegserver.server.http.PipelineNames;
import io.mjpegserver.server.net.AcceptErrors;
import io.mjpegserver.server.net.Listening;
import io.mjpegserver.server.net.MachineAddresses;
import io.mjpegserver.server.net.Transport;
import io.mjpegserver.server.observe.ServerMetrics;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.observe.StateViews;
import io.mjpegserver.server.stream.ClientLimits;
import io.mjpegserver.server.stream.MultipartFormat;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.stream.StreamResponder;
import io.mjpegserver.server.tls.TlsContexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
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
 * The whole server: its feeds (each a capture filling a frame ring, and a broadcaster fanning each frame out to
 * the feed's clients on Netty's event loops), and one listening socket for all of them. {@link #close()} stops
 * it and releases everything it made.
 */
public final class MjpegServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MjpegServer.class);

    private final ServerConfig config;
    private final ListenSocket listen;
    private final FatalErrorHandler fatal;
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup channels;
    private final ServerMetrics metrics = new ServerMetrics();
    private final MultipartFormat format;
    private final ClientLimits limits;
    /** Every feed's watchdog, and every relay's opens and closes: a few threads, however many feeds. */
    private final SupervisorThreads supervision = SupervisorThreads.forThisMachine();
    /** Where transforms, variants and walls decode and encode: a core's worth each, never an event loop. */
    private final DeriveWorkers derive;
    private Walls walls;
    private final List<Feed> started = new ArrayList<>();
    /** The client loops relayed upstreams are read on; made with the first relayed feed. */
    private EventLoopGroup relayLoops; // guarded by relayLoopsLock
    private final Object relayLoopsLock = new Object();
    private final List<Consumer<String>> sourceLossListeners = new CopyOnWriteArrayList<>();
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private Feeds feeds;
    /** An edge's: follows the origin's feeds ({@code --mirror}); null otherwise. */
    private OriginMirror mirror;
    private Channel serverChannel;
    private boolean closed;

    private MjpegServer(ServerConfig config, FatalErrorHandler fatal) {
        this.config = config;
        this.listen = config.listening().socket();
        this.fatal = fatal;
        this.transport = Transport.best();
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workers = new MultiThreadIoEventLoopGroup(ioThreads(config.listening()), transport.ioHandlerFactory());
        this.channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        this.format = new MultipartFormat(config.streaming().boundary());
        this.limits = new ClientLimits(config.limits().maxClients(), config.limits().maxClientsPerAddress());
        this.derive = new DeriveWorkers(Runtime.getRuntime().availableProcessors(), fatal);
    }

    /**
     * One event loop per core unless set: Netty's own default is two per core, and on a machine the fan-out
     * saturates, the extra loops only take turns on the same cores.
     */
    private static int ioThreads(ListenConfig listening) {
        return listening.ioThreads() > 0 ? listening.ioThreads() : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Starts every feed of {@code config} (or, on an edge, follows its origin's), binds, and serves, with pooled
     * direct buffers; an {@link Error} on any of the server's threads halts the JVM. A StartupException says why a
     * source cannot be opened, the TLS files cannot be read, or the address cannot be bound.
     */
    public static MjpegServer start(ServerConfig config) throws StartupException {
        return builder(config).start();
    }

    /** What a server is started with besides its config: tests bring an allocator, a handler or a source of their own. */
    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    /** Starts a server on {@link ServerConfig} and what the embedding code brings of its own. */
    public static final class Builder {
        private final ServerConfig config;
        private ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        private FatalErrorHandler fatal = FatalErrorHandler.HALT;
        private FrameSource source;

        private Builder(ServerConfig config) {
            this.config = config;
        }

        /** Where every frame and every connection's buffers come from. */
        public Builder allocator(ByteBufAllocator alloc) {
            this.alloc = alloc;
            return this;
        }

        /** Told of an {@link Error} on any of the server's threads (the capture threads, the event loops). */
        public Builder fatalErrorHandler(FatalErrorHandler fatal) {
            this.fatal = fatal;
            return this;
        }

        /** The default feed's frames come from {@code source}, which the server owns from here, not from its config's. */
        public Builder source(FrameSource source) {
            this.source = source;
            return this;
        }

        /** @see MjpegServer#start(ServerConfig) */
        public MjpegServer start() throws StartupException {
            MjpegServer server = new MjpegServer(config, fatal);
            MirrorConfig origin = config.feeds().mirror();
            return server.run(alloc, starter -> {
                if (origin != null) {
                    server.feeds = Feeds.none("no feeds yet");
                    server.mirror = new OriginMirror(origin, starter, server.feeds);
                    server.mirror.start();
                    return;
                }
                for (FeedConfig feed : config.feeds().list()) {
                    boolean own = source != null && server.started.isEmpty();
                    try {
                        server.started.add(own ? starter.start(feed, source) : starter.start(feed));
                    } catch (SourceException e) {
                        throw new StartupException(e.getMessage(), e, feed.name());
                    }
                }
            });
        }
    }

    /** How feeds get started, given what they share. */
    @FunctionalInterface
    private interface FeedsToStart {
        void start(FeedStarter starter) throws SourceException, StartupException;
    }

    private MjpegServer run(ByteBufAllocator alloc, FeedsToStart toStart) throws StartupException {
        try {
            SslContext ssl = config.tls() == null ? null : TlsContexts.forServer(config.tls());
            FeedStarter starter = new FeedStarter(config, workers, this::relayLoops, format, alloc, limits, metrics, fatal,
                    this::sourceLost, supervision, derive);
            walls = starter.walls();
            toStart.start(starter);
            if (feeds == null) {
                feeds = new Feeds(started);
            }
            metrics.watch(feeds);
            bind(alloc, ssl);
            return this;
        } catch (SourceException e) {
            close();
            throw new StartupException(e.getMessage(), e);
        } catch (StartupException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One small group for every relayed upstream: reading a camera's stream costs little, one thread will do. */
    private EventLoopGroup relayLoops() {
        // An edge starts feeds on its mirror's thread, long after start.
        synchronized (relayLoopsLock) {
            if (relayLoops == null) {
                relayLoops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay", true),
                        transport.ioHandlerFactory());
            }
            return relayLoops;
        }
    }

    /** A feed's loss, to the listeners: the reason alone when there is one feed, else with the feed's name. */
    private void sourceLost(String feed, String reason) {
        String told = feeds != null && feeds.all().size() == 1 ? reason : "feed " + feed + ": " + reason;
        for (Consumer<String> listener : sourceLossListeners) {
            listener.accept(told);
        }
    }

    private void bind(ByteBufAllocator alloc, SslContext ssl) throws StartupException {
        String allowOrigin = config.streaming().allowOrigin();
        List<Map.Entry<String, String>> streamHeaders = allowOrigin == null ? List.of()
                : List.of(Map.entry("Access-Control-Allow-Origin", allowOrigin));
        StreamResponder stream = new StreamResponder(format, streamHeaders, PipelineNames.CODEC,
                PipelineNames.REQUEST_PHASE, PipelineNames.STREAM_REQUEST_PHASE);
        Endpoints endpoints = new Endpoints(feeds, walls, stream, this::state, metrics.registry());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .handler(new AcceptErrors(fatal))
                .childHandler(new HttpServerInitializer(config, endpoints, channels, ssl, metrics, fatal));
        if (config.listening().sendBuffer() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, config.listening().sendBuffer());
        }
        serverChannel = Listening.open(bootstrap, config.listening(), transport);
        if (listen instanceof ListenSocket.Inherited inherited) {
            log.info("serving on the socket systemd passed ({}): the host, port and unix settings are not used",
                    inherited.description());
        }
        List<String> urls = urls(ssl == null ? "http" : "https");
        String carriage = transport() + " transport" + (ssl == null ? "" : ", TLS by " + TlsContexts.engineName(ssl));
        for (Feed feed : feeds) {
            FeedCapture capture = feed.capture();
            String how = capture.passesThrough() ? "passed through"
                    : "encoded at quality " + feed.config().quality();
            String size = feed.figuresForStartup() + " ";
            if (feeds.all().size() == 1) {
                log.info("serving {} {}({}) on {} ({})", feed.config().source().describe(), size, how,
                        String.join(" ", urls), carriage);
            } else {
                log.info("feed {}: {} {}({}) on {}", feed.name(), feed.config().source().describe(), size, how,
                        listen.unixDomain() ? feed.streamPath() : urls.get(0).replaceAll("/$", "") + feed.streamPath());
            }
        }
        if (mirror != null) {
            log.info("mirroring {} feeds ({}) on {} ({})", feeds.all().size(), feeds.names(), String.join(" ", urls),
                    carriage);
        } else if (feeds.all().size() > 1) {
            log.info("serving {} feeds on {} ({})", feeds.all().size(), String.join(" ", urls), carriage);
        }
    }

    /**
     * Calls {@code listener} each time a feed's source is lost (a failed or hung grab, an error while publishing,
     * an upstream gone), with the feed and the reason in words for users; on a capture thread: it must not block.
     */
    public void onSourceLoss(Consumer<String> listener) {
        sourceLossListeners.add(listener);
    }

    /** Where clients reach the server, for the startup line: URLs, or the unix socket and how to ask it. */
    private List<String> urls(String scheme) {
        if (serverChannel.localAddress() instanceof InetSocketAddress bound) {
            return MachineAddresses.urls(scheme, bound, MachineAddresses.ofThisMachine());
        }
        String socket = listen instanceof ListenSocket.Unix unix ? unix.path().toString()
                : ((ListenSocket.Inherited) listen).description().replaceFirst("^unix socket ", "");
        return List.of("unix socket " + socket + " (curl --unix-socket " + socket + " " + scheme + "://localhost/)");
    }

    /** The TCP port listened on, useful with port 0; 0 on a unix socket. */
    public int port() {
        return serverChannel.localAddress() instanceof InetSocketAddress bound ? bound.getPort() : 0;
    }

    public ServerConfig config() {
        return config;
    }

    public Feeds feeds() {
        return feeds;
    }

    /** The default feed's ring; read-only use (its frames are released by the ring). */
    public FrameRing ring() {
        return feeds.defaultFeed().ring();
    }

    /** The default feed's capture figures. */
    public CaptureStats captureStats() {
        return feeds.defaultFeed().captureStats();
    }

    /** Every open stream client of every feed, as of now. */
    public List<SessionStats> streamClients() {
        List<SessionStats> all = new ArrayList<>();
        for (Feed feed : feeds) {
            all.addAll(feed.broadcaster().sessions());
        }
        return all;
    }

    /** The Prometheus registry {@code /metrics} shows. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name().toLowerCase(Locale.ROOT);
    }

    /** What {@code /state} shows: the server, every feed, and the default feed's figures at the top level. */
    public StateView state() {
        StateViews.ServerFacts facts = new StateViews.ServerFacts(Version.get(), transport(), host(),
                serverChannel == null ? config.listening().port() : port(), startedAt, System.nanoTime() - startedNanos);
        return StateViews.state(facts, feeds.all(), walls == null ? List.of() : walls.figures());
    }

    /** The host {@code /state} names; a unix socket has no host, so the socket instead. */
    private String host() {
        return listen instanceof ListenSocket.Unix unix ? "unix:" + unix.path()
                : listen instanceof ListenSocket.Inherited inherited ? "systemd: " + inherited.description()
                : config.listening().host();
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
        if (mirror != null) {
            mirror.close();
        }
        // An edge's feeds are the mirror's list; otherwise those started (all of them, even when a start failed).
        List<Feed> toClose = mirror != null ? feeds.all() : started;
        // All at once, then each waited for: a second in all, however many sources are stuck.
        for (Feed feed : toClose) {
            feed.capture().stop();
        }
        if (walls != null) {
            walls.close();
        }
        for (Feed feed : toClose) {
            feed.stopCapture();
        }
        Future<?> relaysDone;
        synchronized (relayLoopsLock) {
            relaysDone = relayLoops == null ? null : relayLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        for (Feed feed : toClose) {
            feed.broadcaster().close();
        }
        channels.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        Future<?> bossDone = boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Future<?> workersDone = workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        bossDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
        workersDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (relaysDone != null) {
            relaysDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Feed feed : toClose) {
            feed.ring().close();
        }
        derive.close();
        supervision.close();
    }
}
