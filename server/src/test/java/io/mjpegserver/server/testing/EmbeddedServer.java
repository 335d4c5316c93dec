package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.feed.Feed;
import io.mjpegserver.server.feed.FeedCapture;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.feed.Feeds;
import io.mjpegserver.server.stream.ClientDemand;
import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.config.LimitsConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.http.Endpoints;
import io.mjpegserver.server.http.HttpServerInitializer;
import io.mjpegserver.server.observe.ServerMetrics;
import io.mjpegserver.server.observe.StateView;
import io.mjpegserver.server.observe.StateViews;
import io.mjpegserver.server.stream.ClientLimits;
import io.mjpegserver.server.http.PipelineNames;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.MultipartFormat;
import io.mjpegserver.server.stream.StreamResponder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The real connection pipeline on an {@link EmbeddedChannel}, with its own ring and broadcaster: requests
 * go in as bytes, responses come out as the exact bytes a socket would carry.
 */
public final class EmbeddedServer implements AutoCloseable {

    public final EmbeddedChannel channel;
    public final FrameRing ring = new FrameRing(4);
    public final Broadcaster broadcaster;
    public final ServerMetrics metrics = new ServerMetrics();
    /** Every {@link Error} the pipeline met, in place of halting the test JVM. */
    public final List<Throwable> fatalErrors = new CopyOnWriteArrayList<>();
    private final FatalErrorHandler fatal = (where, error) -> fatalErrors.add(error);
    /** Thrown by the feed's capture figures in place of answering, when set. */
    public volatile Error sourceError;
    /** What the feed's capture reports ({@code /healthz}, {@code /state}); tests may replace it, null included. */
    public volatile CaptureStats stats = new CaptureStats(true, 1, 0, 30, 1_000_000, 1_000_000, 10_000_000, 0, null, 0, 0, 0);
    /** The one feed, "default", on {@link #ring}. */
    public final Feed feed;

    public EmbeddedServer() {
        this(ServerConfig.builder().build());
    }

    public EmbeddedServer(Duration clientTimeout) {
        this(ServerConfig.builder().clientTimeout(clientTimeout).build());
    }

    public EmbeddedServer(ServerConfig config) {
        channel = new EmbeddedChannel();
        MultipartFormat format = new MultipartFormat(config.streaming().boundary());
        LimitsConfig limits = config.limits();
        broadcaster = new Broadcaster(channel.eventLoop(), format, UnpooledByteBufAllocator.DEFAULT, config.streaming().repeat(),
                limits.clientTimeout(), new ClientLimits(limits.maxClients(), limits.maxClientsPerAddress()), metrics,
                fatal, ClientDemand.NONE);
        ring.addListener(broadcaster);
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(16, 16), 30, 80, 4);
        feed = new Feed(FeedConfig.DEFAULT_NAME, capture, ring, broadcaster, new StandInCapture());
        Feeds feeds = new Feeds(List.of(feed));
        metrics.watch(feeds);
        String allowOrigin = config.streaming().allowOrigin();
        List<Map.Entry<String, String>> streamHeaders = allowOrigin == null ? List.of()
                : List.of(Map.entry("Access-Control-Allow-Origin", allowOrigin));
        StreamResponder stream = new StreamResponder(format, streamHeaders, PipelineNames.CODEC, PipelineNames.REQUEST_PHASE, PipelineNames.STREAM_REQUEST_PHASE);
        Endpoints endpoints = new Endpoints(feeds, null, stream, () -> {
            StateView.Feed view = StateViews.feed(feed);
            return new StateView(null, view.source(), view.ring(), view.clients(), List.of(view));
        }, metrics.registry());
        channel.pipeline().addLast(new HttpServerInitializer(config, endpoints,
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), null, metrics, fatal));
    }

    /** The feed's capture: no source, figures as the test sets them. */
    private final class StandInCapture implements FeedCapture {
        @Override
        public CaptureStats stats() {
            if (sourceError != null) {
                throw sourceError;
            }
            return stats;
        }

        @Override public int width() { return 16; }
        @Override public int height() { return 16; }
        @Override public double pacingFps() { return 30; }
        @Override public boolean passesThrough() { return false; }
        @Override public void acquire() { }
        @Override public void release() { }
        @Override public boolean idle() { return false; }
        @Override public void close() { }
    }

    /** A frame whose JPEG is {@code FF D8 <payload> FF D9} in a direct buffer; the caller owns it. */
    public static Frame frame(long sequence, long wallClockMicros, byte... payload) {
        ByteBuf jpeg = Unpooled.directBuffer(payload.length + 4);
        jpeg.writeShort(0xFFD8).writeBytes(payload).writeShort(0xFFD9);
        return new Frame(sequence, System.nanoTime(), wallClockMicros, 16, 16, jpeg);
    }

    /** Feeds {@code request} (ISO-8859-1 text) to the server. */
    public void request(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, ISO_8859_1));
        channel.runPendingTasks();
    }

    /** Feeds {@code request} to the server and returns what it wrote since the last read, as text. */
    public String answer(String request) {
        request(request);
        return outboundText();
    }

    /** Publishes {@code frame} (ownership passes to the ring) and runs the fan-out tasks. */
    public void publish(Frame frame) {
        ring.publish(frame);
        channel.runPendingTasks();
    }

    /** Everything written since the last call, as buffers in order; the caller releases them. */
    public List<ByteBuf> outbound() {
        List<ByteBuf> out = new ArrayList<>();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            out.add((ByteBuf) msg);
        }
        return out;
    }

    /** Everything written since the last call, as text; releases the buffers. */
    public String outboundText() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf buf : outbound()) {
            text.append(buf.toString(ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    @Override
    public void close() {
        broadcaster.close();
        channel.runPendingTasks();
        channel.finishAndReleaseAll();
        ring.close();
    }
}
