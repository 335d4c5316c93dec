package io.mjpegserver.server.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/2 client on Netty's frame codec that returns flow-control windows itself, except for the streams it
 * opens starved (a stalled tab): what it receives, each stream's status and the resets and GOAWAY it gets are kept
 * for the test to read.
 */
public final class Http2FrameClient extends Http2ChannelDuplexHandler {

    private static final int WAIT_SECONDS = 30;
    /** What a stream's body keeps at most; the bytes past it are counted, not kept. */
    private static final int MAX_BODY = 8 << 20;

    public final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    public final Map<Integer, String> status = new ConcurrentHashMap<>();
    public final Set<Integer> reset = ConcurrentHashMap.newKeySet();
    public volatile boolean goAway;
    private final Map<Integer, ByteArrayOutputStream> bodies = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> received = new ConcurrentHashMap<>();
    private final Set<Http2FrameStream> starved = ConcurrentHashMap.newKeySet();
    private final int connectionWindow;
    private ChannelHandlerContext ctx;
    private Channel channel;

    private Http2FrameClient(int connectionWindow) {
        this.connectionWindow = connectionWindow;
    }

    /**
     * Connects to {@code 127.0.0.1:port} on {@code group}, announcing {@code initial} settings, and widens the
     * connection's window by {@code connectionWindow} so that what starved streams keep does not starve the others.
     */
    public static Http2FrameClient connect(EventLoopGroup group, int port, int connectionWindow, Http2Settings initial)
            throws InterruptedException {
        Http2FrameClient client = new Http2FrameClient(connectionWindow);
        client.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(initial).build(), client);
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        return client;
    }

    /** With the default settings. */
    public static Http2FrameClient connect(EventLoopGroup group, int port, int connectionWindow)
            throws InterruptedException {
        return connect(group, port, connectionWindow, Http2Settings.defaultSettings());
    }

    public Channel channel() {
        return channel;
    }

    @Override
    protected void handlerAdded0(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow));
        ctx.fireChannelActive();
    }

    /** Opens a GET of {@code path}; a {@code starve}d stream never gets its window back. */
    public Http2FrameStream open(String path, boolean starve) throws Exception {
        return open(path, starve, Map.of());
    }

    /** As {@link #open(String, boolean)}, with {@code fields} added to the request (a {@code user-agent}...). */
    public Http2FrameStream open(String path, boolean starve, Map<String, String> fields) throws Exception {
        return channel.eventLoop().submit(() -> {
            Http2FrameStream stream = newStream();
            if (starve) {
                starved.add(stream);
            }
            DefaultHttp2Headers headers = new DefaultHttp2Headers();
            headers.method("GET").scheme("http").path(path).authority("127.0.0.1");
            fields.forEach(headers::add);
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true).stream(stream)).sync();
            return stream;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** The first bytes (up to 8 MiB) of the DATA {@code stream} received. */
    public byte[] body(Http2FrameStream stream) throws Exception {
        return channel.eventLoop().submit(() -> bodies.get(stream.id()).toByteArray())
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Bytes of DATA {@code stream} received so far. */
    public long received(Http2FrameStream stream) {
        AtomicLong bytes = received.get(stream.id());
        return bytes == null ? 0 : bytes.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame frame) {
                settings.complete(frame.settings());
            } else if (msg instanceof Http2HeadersFrame frame) {
                status.put(frame.stream().id(), String.valueOf(frame.headers().status()));
            } else if (msg instanceof Http2DataFrame frame) {
                if (starved.stream().noneMatch(s -> s.id() == frame.stream().id())) {
                    keep(frame);
                    if (frame.initialFlowControlledBytes() > 0) {
                        ctx.write(new DefaultHttp2WindowUpdateFrame(frame.initialFlowControlledBytes())
                                .stream(frame.stream()));
                    }
                }
            } else if (msg instanceof Http2ResetFrame frame) {
                reset.add(frame.stream().id());
            } else if (msg instanceof Http2GoAwayFrame) {
                goAway = true;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void keep(Http2DataFrame frame) {
        ByteBuf content = frame.content();
        received.computeIfAbsent(frame.stream().id(), id -> new AtomicLong()).addAndGet(content.readableBytes());
        ByteArrayOutputStream body = bodies.computeIfAbsent(frame.stream().id(), id -> new ByteArrayOutputStream());
        if (body.size() < MAX_BODY) {
            byte[] bytes = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), bytes);
            body.write(bytes, 0, bytes.length);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }
}
