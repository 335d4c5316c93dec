package io.mjpegserver.capture.relay;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSink;
import io.mjpegserver.capture.PushSource;
import io.mjpegserver.capture.SourceException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.URI;
import javax.net.ssl.SSLException;

/**
 * An {@code http://} or {@code https://} MJPEG upstream (an IP camera, mjpg-streamer, ustreamer, motion,
 * another of us) relayed: one upstream connection per {@link #open}, however many clients watch. Each JPEG is
 * handed to the sink as a retained slice of the bytes read (copied once, into the relay's read buffer; never
 * decoded, never copied per client). An upstream that answers with a single JPEG (a snapshot URL) is polled at
 * the options' fps (2 when not given), on a keep-alive connection when the upstream allows.
 *
 * <p>This source does not reconnect and does not check JPEGs beyond the multipart framing: the supervisor does
 * both. Whatever goes wrong (refused, unresolvable, a 404 or 401, a part over the size limit, garbage, a wrong
 * boundary, a stall, a close mid-frame, a TLS certificate not trusted; not a part whose Content-Length is wrong,
 * which is skipped) ends the connection and is reported once
 * through {@link FrameSink#failed}, naming the upstream without its password.
 *
 * <p>Threads: the caller owns {@code group} (this source only uses it, and closes none of it); frames and the
 * failure reach the sink on one of its event loops. {@link #open} and {@link #close} may be called from any
 * thread and never block. An {@link Error} on those loops (out of memory while reading a part, ...) is no
 * upstream failure: it goes to the {@link FatalErrorHandler}, which ends the process.
 */
public final class HttpRelaySource implements PushSource {

    private final RelayTarget target;
    private final RelayConnector connector;
    private final RelayOptions options;
    private final FatalErrorHandler fatal;
    private volatile boolean snapshot;
    private RelaySession session; // guarded by this

    /**
     * @param uri     {@code http://} or {@code https://}, with {@code user:password@} for Basic or Digest auth
     * @param group   the event loops every relay shares; owned and closed by the caller
     * @param alloc   where read buffers come from
     * @throws IllegalArgumentException for a URL that is not http(s) with a host (the message is for users)
     */
    public HttpRelaySource(URI uri, EventLoopGroup group, ByteBufAllocator alloc, RelayOptions options) {
        this(uri, group, alloc, options, FatalErrorHandler.HALT);
    }

    /**
     * As {@link #HttpRelaySource(URI, EventLoopGroup, ByteBufAllocator, RelayOptions)}, telling {@code fatal} of an
     * {@link Error} on the relay's loops.
     */
    public HttpRelaySource(URI uri, EventLoopGroup group, ByteBufAllocator alloc, RelayOptions options,
            FatalErrorHandler fatal) {
        if (group == null || alloc == null || options == null || fatal == null) {
            throw new NullPointerException("group, alloc, options and fatal are required");
        }
        this.target = RelayTarget.of(uri);
        this.options = options;
        this.fatal = fatal;
        this.connector = new RelayConnector(group, alloc, target, options, target.https() ? tls(options) : null);
    }

    /** The URL without its password. */
    public String describe() {
        return target.described();
    }

    /** Whether the upstream turned out to be a single JPEG that is polled. */
    public boolean polling() {
        return snapshot;
    }

    @Override
    public synchronized void open(FrameSink sink) throws SourceException {
        if (session != null) {
            session.close();
        }
        session = new RelaySession(target, options, connector, sink, () -> snapshot = true, fatal);
        session.start();
    }

    @Override
    public double nominalFps() {
        if (options.fps() > 0) {
            return options.fps();
        }
        return snapshot ? options.pollFps() : 0;
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    @Override
    public String toString() {
        return "relay " + target.described();
    }

    private static SslContext tls(RelayOptions options) {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (options.trustAnyCertificate()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else if (!options.trustedCertificates().isEmpty()) {
            builder.trustManager(new GivenCertificates(options.trustedCertificates())).endpointIdentificationAlgorithm("HTTPS");
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS"); // the JDK's trust store, and the host name checked
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS is not available in this JVM for https:// relays", e);
        }
    }
}
