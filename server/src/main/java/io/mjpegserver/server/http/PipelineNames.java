package io.mjpegserver.server.http;

import java.util.List;

/**
 * Names of the handlers of a connection's pipeline, in order from the socket: TLS and protocol choice, then
 * HTTP/1's request phase or HTTP/2's connection handlers. A stream request replaces its request phase with one
 * {@code StreamSession} that writes raw bytes from then on.
 */
public final class PipelineNames {

    /** Only with {@code --tls-cert}: a 400 saying to use https for plain HTTP; gone once TLS bytes come. */
    public static final String PLAIN_ON_TLS = "plain-on-tls";
    /** Only with {@code --tls-cert}; the handshake is bounded by the request timeout. */
    public static final String TLS = "tls";
    /** Only with TLS: puts the handlers of the protocol the handshake chose ({@code h2} or {@code http/1.1}). */
    public static final String ALPN = "alpn";
    /** Only without TLS: turns to HTTP/2 when the first bytes are its preface; gone after them either way. */
    public static final String PRIOR_KNOWLEDGE = "h2-prior-knowledge";
    /** HTTP/1: notes that request bytes arrived, for {@link #REQUEST_TIMEOUT}. */
    public static final String REQUEST_START = "request-start";
    /** HTTP/1.x request decoder and response encoder, with size limits. */
    public static final String CODEC = "http-codec";
    /** Only without TLS: answers {@code Upgrade: h2c} with 101; the request becomes HTTP/2's stream 1. */
    public static final String H2C_UPGRADE = "h2c-upgrade";
    /** Netty's {@code FlowControlHandler}: one decoded message per read. */
    public static final String FLOW_CONTROL = "flow-control";
    /** Reads the next request only once the last answer went out (auto-read off). */
    public static final String REQUEST_FLOW = "request-flow";
    /** 408 and close when request headers take too long; an idle keep-alive is closed. */
    public static final String REQUEST_TIMEOUT = "request-timeout";
    /** Only with {@code --allow-origin}; on HTTP/1 connections and HTTP/2 streams alike. */
    public static final String CORS = "cors";
    /** Checks method, credentials and path; answers, or hands over to an endpoint (over HTTP/1 and HTTP/2). */
    public static final String ROUTER = "router";
    /** HTTP/2: Netty's frame codec (settings, flow control, HPACK, flood limits). */
    public static final String H2_CODEC = "h2-codec";
    /** Bounds what an HTTP/2 connection holds unsent, in bytes and in time. */
    public static final String H2_UNSENT = "h2-unsent";
    /** One child channel per HTTP/2 stream. */
    public static final String H2_STREAMS = "h2-streams";
    /** Closes an HTTP/2 connection left with no stream. */
    public static final String H2_CONNECTION = "h2-connection";
    /** In each HTTP/2 stream's channel, before {@link #CORS} and {@link #ROUTER}: frames to HTTP/1 messages. */
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
