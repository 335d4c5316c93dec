package io.mjpegserver.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Answers a stream request: turns the connection (over HTTP/2, the request's stream) into a
 * {@link StreamSession} that owns the wire. The HTTP/1 response heads are constant bytes built once: chunked
 * for HTTP/1.1, close-delimited for HTTP/1.0; HTTP/2 gets the same fields, but for those that name the
 * framing, in a HEADERS frame.
 */
public final class StreamResponder {

    private final List<Map.Entry<String, String>> headers11;
    private final List<Map.Entry<String, String>> headers10;
    private final ByteBuf head11;
    private final ByteBuf head10;
    private final List<Map.Entry<String, String>> headers2;
    private final MultipartFormat format;
    private final String codecName;
    private final List<String> http1Phase;
    private final List<String> http2Phase;

    /**
     * @param extraHeaders added to every stream response after the fixed ones (e.g. CORS)
     * @param codecName    the HTTP/1 codec's name: an HTTP/1 session goes right in front of it
     * @param http1Phase   names of the request-phase handlers an HTTP/1 stream connection removes
     * @param http2Phase   the same for an HTTP/2 stream's channel (the session goes first in it)
     */
    public StreamResponder(MultipartFormat format, List<Map.Entry<String, String>> extraHeaders, String codecName,
            List<String> http1Phase, List<String> http2Phase) {
        this.format = format;
        this.codecName = codecName;
        this.headers11 = headers(format, Map.entry("Transfer-Encoding", "chunked"), extraHeaders);
        this.headers10 = headers(format, Map.entry("Connection", "close"), extraHeaders);
        this.headers2 = headers(format, null, extraHeaders);
        this.head11 = head(HttpVersion.HTTP_1_1, headers11);
        this.head10 = head(HttpVersion.HTTP_1_0, headers10);
        this.http1Phase = List.copyOf(http1Phase);
        this.http2Phase = List.copyOf(http2Phase);
    }

    /** @param framing the field that says how the body ends, {@code null} for none (HTTP/2: the stream ends it) */
    private static List<Map.Entry<String, String>> headers(MultipartFormat format, Map.Entry<String, String> framing,
            List<Map.Entry<String, String>> extra) {
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        headers.add(Map.entry("Content-Type", format.contentType()));
        headers.add(Map.entry("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"));
        headers.add(Map.entry("Pragma", "no-cache"));
        if (framing != null) {
            headers.add(framing);
        }
        headers.addAll(extra);
        return List.copyOf(headers);
    }

    /** The HTTP/2 response head, a new one per stream (the codec's HPACK encoder reads it on the stream's loop). */
    private Http2Headers http2Head() {
        Http2Headers headers = new DefaultHttp2Headers().status(HttpResponseStatus.OK.codeAsText());
        for (Map.Entry<String, String> header : headers2) {
            headers.add(AsciiString.of(header.getKey()).toLowerCase(), header.getValue());
        }
        return headers;
    }

    private static ByteBuf head(HttpVersion version, List<Map.Entry<String, String>> headers) {
        StringBuilder head = new StringBuilder(256).append(version.text()).append(" 200 OK\r\n");
        for (Map.Entry<String, String> header : headers) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        return WireBytes.ascii(head.append("\r\n").toString());
    }

    /**
     * Whether the client is a WebKit browser but not Chromium (Safari, WebKitGTK, WPE; all iOS browsers): libsoup,
     * under WebKitGTK, reads each part's fields on a worker thread with blocking reads, and over HTTP/2 such a read
     * that finds nothing buffered runs the connection's HTTP/2 session on that thread, racing the network thread
     * until the browser's network process crashes. Sent ahead, the fields are there when it reads them.
     */
    static boolean readsPartFieldsBlocking(HttpRequest request) {
        String agent = request.headers().get(HttpHeaderNames.USER_AGENT);
        return agent != null && agent.contains("AppleWebKit/") && !agent.contains("Chrome/")
                && !agent.contains("Chromium/");
    }

    /**
     * Streams {@code broadcaster}'s feed to the channel of {@code ctx} (the router's context). A GET turns the
     * connection (an HTTP/2 stream) into a stream for good; a HEAD gets the same headers through the codec, and the
     * connection stays usable.
     *
     * @param maxFps the most frames per second this client gets ({@code ?fps=}, already checked), 0 for every frame
     */
    public void respond(ChannelHandlerContext ctx, HttpRequest request, String path, Broadcaster broadcaster,
            double maxFps) {
        boolean http2 = ctx.channel() instanceof Http2StreamChannel;
        // An HTTP/2 request comes through the stream codec as HTTP/1.1.
        boolean chunked = !request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (HttpMethod.HEAD.equals(request.method())) {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    chunked ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
            for (Map.Entry<String, String> header : chunked ? headers11 : headers10) {
                response.headers().add(header.getKey(), header.getValue());
            }
            boolean keepAlive = chunked && HttpUtil.isKeepAlive(request);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        InetAddress address = ctx.channel().remoteAddress() instanceof InetSocketAddress socket
                ? socket.getAddress() : InetAddress.getLoopbackAddress();
        ClientLimits.Rejection rejection = broadcaster.admit(address);
        if (rejection != null) {
            FullHttpResponse busy = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.copiedBuffer("503 Service Unavailable: "
                            + rejection.message + "\n", StandardCharsets.UTF_8));
            busy.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, busy.content().readableBytes())
                    .set(HttpHeaderNames.RETRY_AFTER, 5)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(busy).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ChannelPipeline pipeline = ctx.pipeline();
        StreamWire wire = http2 ? new Http2Wire(format, http2Head(), readsPartFieldsBlocking(request))
                : new Http1Wire(format, chunked, chunked ? head11 : head10);
        StreamSession session = broadcaster.newSession(ctx.channel().eventLoop(), address, wire, path, maxFps);
        String name = StreamSession.class.getSimpleName();
        if (http2) {
            // First in the stream's channel: it writes HTTP/2 frames, which the stream channel hands to the connection.
            pipeline.addFirst(name, session);
        } else {
            // Just before the codec: behind TLS when there is TLS, so the raw parts are still encrypted.
            pipeline.addBefore(codecName, name, session);
        }
        ChannelHandlerContext streamCtx = pipeline.context(session);
        // From here the session owns the wire: the HTTP codec and the request handlers are done.
        for (String handler : http2 ? http2Phase : http1Phase) {
            if (pipeline.get(handler) != null) {
                pipeline.remove(handler);
            }
        }
        session.start(streamCtx);
    }
}
