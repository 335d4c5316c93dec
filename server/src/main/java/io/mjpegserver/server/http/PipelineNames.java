package io.mjpegserver.server.http;

import java.util.List;

/**
 * Names of the handlers of a connection's pipeline, head (socket) to tail:
 * <ol>
 *   <li>{@link #TLS}: only with {@code --tls-cert}; the handshake is bounded by the request timeout</li>
 *   <li>{@link #ALPN}: only with TLS; once the handshake chose {@code h2} or {@code http/1.1}, puts that
 *       protocol's handlers in its place</li>
 *   <li>{@link #PRIOR_KNOWLEDGE}: only without TLS; if the first bytes are HTTP/2's connection preface
 *       ({@code h2c} with prior knowledge), replaces the HTTP/1 handlers below with HTTP/2's; gone after the
 *       first bytes either way</li>
 * </ol>
 * HTTP/1:
 * <ol>
 *   <li>{@link #REQUEST_START}: notes that request bytes arrived, for {@link #REQUEST_TIMEOUT}</li>
 *   <li>{@link #CODEC}: HTTP/1.x request decoder and response encoder, with size limits</li>
 *   <li>{@link #H2C_UPGRADE}: only without TLS; answers {@code Upgrade: h2c} with 101 and turns the connection
 *       into HTTP/2, the request becoming its stream 1</li>
 *   <li>{@link #FLOW_CONTROL}: Netty's {@code FlowControlHandler}, one decoded message per read</li>
 *   <li>{@link #REQUEST_FLOW}: reads the next request only once the last answer went out (auto-read off)</li>
 *   <li>{@link #REQUEST_TIMEOUT}: 408 and close when request headers take too long; idle keep-alive closed</li>
 *   <li>{@link #CORS}: only with {@code --allow-origin}</li>
 *   <li>{@link #ROUTER}: checks method, credentials and path; answers, or hands over to an endpoint</li>
 * </ol>
 * A stream request puts one {@code StreamSession} in front of the codec and removes the codec and every
 * handler after it: from then on the session writes raw bytes (through TLS, when there is TLS).
 *
 * <p>HTTP/2: {@link #H2_CODEC} (Netty's frame codec: settings, flow control, HPACK, flood limits), {@link #H2_UNSENT}
 * (bounds what the connection holds unsent, in bytes and in time), {@link #H2_STREAMS} (one
 * child channel per stream) and {@link #H2_CONNECTION} (closes a connection left with no stream). Each stream's
 * channel has {@link #H2_STREAM_CODEC} (HTTP/2 frames to and from HTTP/1 messages), {@link #CORS} and
 * {@link #ROUTER}: every endpoint answers over HTTP/2 as it does over HTTP/1. A stream request puts its
 * {@code StreamSession} first in the stream's channel and removes those three.
 */
public final class PipelineNames {

    public static final String TLS = "tls";
    public static final String ALPN = "alpn";
    public static final String PRIOR_KNOWLEDGE = "h2-prior-knowledge";
    public static final String REQUEST_START = "request-start";
    public static final String CODEC = "http-codec";
    public static final String H2C_UPGRADE = "h2c-upgrade";
    public static final String FLOW_CONTROL = "flow-control";
    public static final String REQUEST_FLOW = "request-flow";
    public static final String REQUEST_TIMEOUT = "request-timeout";
    public static final String CORS = "cors";
    public static final String ROUTER = "router";
    public static final String H2_CODEC = "h2-codec";
    public static final String H2_UNSENT = "h2-unsent";
    public static final String H2_STREAMS = "h2-streams";
    public static final String H2_CONNECTION = "h2-connection";
    public static final String H2_STREAM_CODEC = "h2-stream-codec";

    /** What an HTTP/1 stream connection removes. */
    public static final List<String> REQUEST_PHASE = List.of(PRIOR_KNOWLEDGE, REQUEST_START, CODEC, H2C_UPGRADE,
            FLOW_CONTROL, REQUEST_FLOW, REQUEST_TIMEOUT, CORS, ROUTER);

    /** What an HTTP/2 stream's channel removes when it turns into a stream. */
    public static final List<String> STREAM_REQUEST_PHASE = List.of(H2_STREAM_CODEC, CORS, ROUTER);

    /**
     * The HTTP/1 handlers a connection turning into HTTP/2 removes. Not {@link #H2C_UPGRADE}, which removes
     * itself after an upgrade, and which a connection with prior knowledge removes first.
     */
    static final List<String> HTTP1_PHASE = List.of(REQUEST_START, CODEC, FLOW_CONTROL, REQUEST_FLOW,
            REQUEST_TIMEOUT, CORS, ROUTER);

    private PipelineNames() {
    }
}
