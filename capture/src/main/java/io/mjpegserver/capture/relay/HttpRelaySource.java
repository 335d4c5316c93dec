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
 * An {@code http(s)://} MJPEG upstream relayed: one connection per {@link #open}, each JPEG handed to the sink as
 * a retained slice of the read buffer; a single-JPEG upstream is polled. No reconnecting, no JPEG check (the
 * supervisor does both); any failure but a miscounted part (skipped) ends the connection, reported once through
 * {@link FrameSink#failed}. The caller owns {@code group}; an {@link Error} goes to the fatal handler.
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
     * @param fatal   told of an {@link Error} on the relay's loops
     * @throws IllegalArgumentException for a URL that is not http(s) with a host (the message is for users)
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
