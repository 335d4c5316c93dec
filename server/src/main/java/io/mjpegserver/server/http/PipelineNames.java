package io.mjpegserver.server.http;

import java.util.List;

/**
 * Names of the handlers of a connection's pipeline, head (socket) to tail:
 * <ol>
 *   <li>{@link #CODEC}: HTTP/1.x request decoder and response encoder, with header size limits</li>
 *   <li>{@link #ROUTER}: checks method and path, answers or hands over to an endpoint</li>
 * </ol>
 * A stream request replaces all of them with one {@code StreamSession}, which writes raw bytes from then on.
 */
public final class PipelineNames {

    public static final String CODEC = "http-codec";
    public static final String ROUTER = "router";

    /** What a stream connection removes. */
    public static final List<String> REQUEST_PHASE = List.of(CODEC, ROUTER);

    private PipelineNames() {
    }
}
