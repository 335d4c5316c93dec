package io.mjpegserver.server.http;

import java.util.List;

/**
 * Names of the handlers of a connection's pipeline, head (socket) to tail:
 * <ol>
 *   <li>{@link #TLS}: only with {@code --tls-cert}; the handshake is bounded by the request timeout</li>
 *   <li>{@link #REQUEST_START}: notes that request bytes arrived, for {@link #REQUEST_TIMEOUT}</li>
 *   <li>{@link #CODEC}: HTTP/1.x request decoder and response encoder, with size limits</li>
 *   <li>{@link #FLOW_CONTROL}: Netty's {@code FlowControlHandler}, one decoded message per read</li>
 *   <li>{@link #REQUEST_FLOW}: reads the next request only once the last answer went out (auto-read off)</li>
 *   <li>{@link #REQUEST_TIMEOUT}: 408 and close when request headers take too long; idle keep-alive closed</li>
 *   <li>{@link #CORS}: only with {@code --allow-origin}</li>
 *   <li>{@link #ROUTER}: checks method, credentials and path; answers, or hands over to an endpoint</li>
 * </ol>
 * A stream request puts one {@code StreamSession} in front of the codec and removes the codec and every
 * handler after it: from then on the session writes raw bytes (through TLS, when there is TLS).
 */
public final class PipelineNames {

    public static final String TLS = "tls";
    public static final String REQUEST_START = "request-start";
    public static final String CODEC = "http-codec";
    public static final String FLOW_CONTROL = "flow-control";
    public static final String REQUEST_FLOW = "request-flow";
    public static final String REQUEST_TIMEOUT = "request-timeout";
    public static final String CORS = "cors";
    public static final String ROUTER = "router";

    /** What a stream connection removes. */
    public static final List<String> REQUEST_PHASE = List.of(REQUEST_START, CODEC, FLOW_CONTROL, REQUEST_FLOW,
            REQUEST_TIMEOUT, CORS, ROUTER);

    private PipelineNames() {
    }
}
