package io.mjpegserver.capture.relay;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSink;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link HttpRelaySource#open}: the upstream connection (a second only to answer a 401 or poll again), its
 * parsing, and the single report of its end. Runs on one event loop; {@link #close} may come from any thread. It
 * ends once, by a failure (told to the sink) or by {@link #close}; then every arriving buffer is released. An
 * {@link Error} goes to the {@link FatalErrorHandler}, never to the sink.
 */
final class RelaySession {

    private static final Logger log = LoggerFactory.getLogger(RelaySession.class);
    private static final String USER_AGENT = "mjpeg-server-relay";
    private static final String JOB = "relay loop";

    private final RelayTarget target;
    private final RelayOptions options;
    private final RelayConnector connector;
    private final FrameSink sink;
    private final EventLoop loop;
    private final Runnable snapshotDetected;
    private final FatalErrorHandler fatal;
    private final AtomicBoolean over = new AtomicBoolean();

    // Event loop only.
    private final FrameCumulation cumulation;
    private final Authorizer authorizer;
    private Channel current;
    private AddressResolverGroup<InetSocketAddress> resolver;
    private ScheduledFuture<?> poll;
    private MultipartReader multipart;
    private SnapshotReader snapshot;
    /** The snapshot response's {@code X-Timestamp}, or {@link UpstreamStamp#NONE}. */
    private long snapshotStamp;
    private boolean answeringChallenge;
    private boolean keepAlive;
    private boolean awaiting;
    private long requestNanos;

    RelaySession(RelayTarget target, RelayOptions options, RelayConnector connector, FrameSink sink,
            Runnable snapshotDetected, FatalErrorHandler fatal) {
        this.target = target;
        this.options = options;
        this.connector = connector;
        this.sink = sink;
        this.loop = connector.nextLoop();
        this.snapshotDetected = snapshotDetected;
        this.fatal = fatal;
        this.cumulation = new FrameCumulation(connector.alloc());
        this.authorizer = new Authorizer(target.user(), target.password());
    }

    void start() {
        onLoop(this::connect);
    }

    /** Ends the session without a report. Any thread; returns at once. */
    void close() {
        if (over.compareAndSet(false, true)) {
            onLoop(this::teardown);
        }
    }

    /** Ends the session with a report to the sink: {@code whatHappened} follows the upstream's name. Event loop. */
    void fail(String whatHappened) {
        if (!over.compareAndSet(false, true)) {
            return;
        }
        try {
            sink.failed("upstream " + target.described() + " " + whatHappened);
        } catch (RuntimeException e) {
            log.warn("The sink of relay {} failed on a failure report", target.described(), e);
        } finally {
            teardown();
        }
    }

    /** {@link #fail} for what was thrown on the connection; an {@link Error} goes to the fatal handler. Event loop. */
    void fail(Throwable cause) {
        if (fatalIfError(cause)) {
            return;
        }
        if (RelayFailures.internal(cause) && !over.get()) {
            log.warn("Relay {} failed", target.described(), cause);
        }
        fail(RelayFailures.failed(cause, options.connectTimeout()));
    }

    /** Hands the {@link Error} in {@code cause}'s chain, if any, to the fatal handler; returns whether there was one. */
    boolean fatalIfError(Throwable cause) {
        return fatal.fatalIfError(JOB, cause);
    }

    boolean isCurrent(Channel channel) {
        return channel == current && !over.get();
    }

    // ---- connection -------------------------------------------------------------------------------------------

    private void connect() {
        if (over.get()) {
            return;
        }
        if (resolver == null && !connector.isLiteral(target.host())) {
            resolver = connector.newResolver(loop);
        }
        Bootstrap bootstrap = connector.bootstrap(loop, this, resolver);
        ChannelFuture connected = bootstrap.connect(connector.remote());
        Channel channel = connected.channel();
        current = channel;
        connected.addListener(f -> guarded(() -> {
            if (!f.isSuccess() && channel == current && !fatalIfError(f.cause())) {
                fail(RelayFailures.connectFailed(f.cause(), target, options.connectTimeout()));
            }
        }));
    }

    /** The connection is up (and, for https, its handshake under way): ask. Event loop. */
    void connected(Channel channel) {
        if (isCurrent(channel)) {
            sendRequest(channel);
        }
    }

    private void sendRequest(Channel channel) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                target.requestTarget(), Unpooled.EMPTY_BUFFER);
        // Names as browsers write them: some cameras' servers match header names case-sensitively.
        request.headers()
                .set("Host", target.hostHeader())
                .set("User-Agent", USER_AGENT)
                .set("Accept", "*/*")
                .set("Connection", HttpHeaderValues.KEEP_ALIVE);
        String authorization = authorizer.authorization("GET", target.requestTarget());
        if (authorization != null) {
            request.headers().set("Authorization", authorization);
        }
        multipart = null;
        snapshot = null;
        answeringChallenge = false;
        awaiting = true;
        requestNanos = System.nanoTime();
        channel.writeAndFlush(request).addListener(f -> guarded(() -> { // the request is released by the codec
            if (!f.isSuccess() && channel == current) {
                fail(f.cause());
            }
        }));
    }

    /** Closes the current connection on purpose (it is not a failure) and forgets it. */
    private void retire() {
        Channel channel = current;
        current = null;
        if (channel != null) {
            channel.close();
        }
    }

    private void teardown() {
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
        retire();
        cumulation.close();
        if (resolver != null) {
            resolver.close();
            resolver = null;
        }
    }

    // ---- what the upstream sends (event loop; the handler releases every message) ------------------------------

    void response(HttpResponse response) throws RelayException {
        if (response.decoderResult().isFailure()) {
            throw new RelayException("did not answer with HTTP (is this the camera's web port?)");
        }
        keepAlive = HttpUtil.isKeepAlive(response)
                && (HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response));
        int code = response.status().code();
        if (code == 401) {
            challenged(response);
            return;
        }
        if (code != 200) {
            throw new RelayException(HttpStatusWords.of(code, response.headers().get(HttpHeaderNames.LOCATION)));
        }
        authorizer.succeeded();
        ContentType type = ContentType.parse(response.headers().get(HttpHeaderNames.CONTENT_TYPE));
        if (type.isJpeg()) {
            snapshotDetected.run();
            String stamp = response.headers().get("X-Timestamp");
            snapshotStamp = stamp == null ? UpstreamStamp.NONE : UpstreamStamp.parse(stamp, UpstreamStamp.nowMicros());
            snapshot = new SnapshotReader(cumulation, options.maxPartBytes(), HttpUtil.getContentLength(response, -1L));
        } else if (type.isMultipart() || type.isUnnamed()) {
            multipart = new MultipartReader(cumulation, options.maxPartBytes(), type.boundary(), this::deliver,
                    this::skipped);
        } else {
            throw new RelayException("answered with " + RelayFailures.printable(type.mediaType())
                    + ", not an MJPEG stream (multipart/x-mixed-replace) nor a JPEG (check the URL)");
        }
    }

    private void challenged(HttpResponse response) throws RelayException {
        switch (authorizer.challenged(response.headers().getAll(HttpHeaderNames.WWW_AUTHENTICATE))) {
            case ANSWER -> answeringChallenge = true;
            case NO_CREDENTIALS -> throw new RelayException("asks for a user name and password (401): put them in"
                    + " the URL, http://user:password@host/...");
            case REJECTED -> throw new RelayException("refused the user name and password in the URL (401)");
            case UNSUPPORTED -> throw new RelayException("asks for authentication we do not speak ("
                    + RelayFailures.printable(authorizer.offered()) + "; we answer Basic and Digest)");
        }
    }

    void content(HttpContent content) throws RelayException {
        ByteBuf bytes = content.content();
        if (multipart != null) {
            multipart.read(bytes);
        } else if (snapshot != null) {
            snapshot.read(bytes);
        }
        if (content instanceof LastHttpContent last) {
            if (last.decoderResult().isFailure()) {
                if (last.decoderResult().cause() instanceof PrematureChannelClosureException) {
                    throw closed(false);
                }
                throw new RelayException(RelayFailures.failed(last.decoderResult().cause(), options.connectTimeout()));
            }
            bodyEnded();
        }
    }

    private void bodyEnded() throws RelayException {
        if (over.get()) {
            return;
        }
        if (multipart != null) {
            throw closed(current != null && current.isActive());
        }
        awaiting = false;
        if (answeringChallenge) {
            nextRequest(0);
        } else if (snapshot != null) {
            deliver(snapshot.finish(), snapshotStamp);
            long period = (long) (TimeUnit.SECONDS.toNanos(1) / options.pollFps());
            nextRequest(Math.max(0, requestNanos + period - System.nanoTime()));
        }
    }

    /** The next request after {@code delayNanos}: on this connection when it may be reused, else on a new one. */
    private void nextRequest(long delayNanos) {
        Channel reuse = keepAlive ? current : null;
        if (reuse == null) {
            retire();
        }
        Runnable next = () -> {
            poll = null;
            if (over.get()) {
                return;
            }
            if (reuse != null && reuse == current && reuse.isActive()) {
                sendRequest(reuse);
            } else {
                retire();
                connect();
            }
        };
        if (delayNanos == 0) {
            next.run();
        } else {
            poll = loop.schedule(() -> guarded(next), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The connection closed: a failure unless it was ours to close, or the poll's keep-alive ended between polls. */
    void disconnected(Channel channel) {
        if (!isCurrent(channel)) {
            return;
        }
        if (!awaiting && snapshot != null) {
            current = null; // an idle keep-alive the upstream closed: the next poll connects again
            return;
        }
        fail(closed(false).getMessage());
    }

    /** Nothing was read for the read timeout. */
    void idle(Channel channel) {
        if (isCurrent(channel) && awaiting
                && System.nanoTime() - requestNanos >= options.readTimeout().toNanos()) {
            fail("stalled: sent nothing for " + RelayFailures.seconds(options.readTimeout())
                    + (midFrame() ? " in the middle of a frame" : ""));
        }
    }

    private RelayException closed(boolean stillOpen) {
        String verb = stillOpen ? "ended the stream" : "closed the connection";
        return new RelayException(midFrame() ? verb + " mid-frame" : verb);
    }

    private boolean midFrame() {
        return multipart != null ? multipart.midFrame() : snapshot != null && snapshot.started();
    }

    /**
     * Takes ownership of {@code jpeg} and hands it to the sink, which releases it, with the upstream's stamp
     * ({@link UpstreamStamp#NONE} when it sent none we keep).
     */
    private void deliver(ByteBuf jpeg, long stampMicros) {
        if (over.get()) {
            jpeg.release();
            return;
        }
        sink.frame(jpeg, stampMicros);
    }

    /** A part was not delivered, its Content-Length being wrong: counted by the sink. */
    private void skipped() {
        if (!over.get()) {
            sink.incomplete();
        }
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(() -> guarded(task));
        } catch (RejectedExecutionException e) {
            // The caller shut the group down first: its channels are closed with it; free what is ours.
            teardownAfterShutdown();
        }
    }

    /** Runs {@code body} on the event loop, where an {@link Error} it throws would only be logged: to the fatal handler. */
    private void guarded(Runnable body) {
        try {
            body.run();
        } catch (Error e) {
            fatal.fatal(JOB + " " + Thread.currentThread().getName(), e);
        }
    }

    private void teardownAfterShutdown() {
        over.set(true);
        cumulation.close();
        if (resolver != null) {
            resolver.close();
        }
    }
}
