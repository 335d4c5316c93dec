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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Answers a stream request: turns the connection into a {@link StreamSession} that owns the raw wire. The
 * response heads are constant bytes built once: chunked for HTTP/1.1, close-delimited for HTTP/1.0.
 */
public final class StreamResponder {

    private final List<Map.Entry<String, String>> headers11;
    private final List<Map.Entry<String, String>> headers10;
    private final ByteBuf head11;
    private final ByteBuf head10;
    private final List<String> handlersToRemove;
    private final String codecName;

    /**
     * @param extraHeaders     added to every stream response after the fixed ones (e.g. CORS)
     * @param codecName        the HTTP codec's name: the session goes right in front of it
     * @param handlersToRemove names of the request-phase handlers a stream connection no longer needs
     */
    public StreamResponder(MultipartFormat format, List<Map.Entry<String, String>> extraHeaders, String codecName,
            List<String> handlersToRemove) {
        this.codecName = codecName;
        this.headers11 = headers(format, true, extraHeaders);
        this.headers10 = headers(format, false, extraHeaders);
        this.head11 = head(HttpVersion.HTTP_1_1, headers11);
        this.head10 = head(HttpVersion.HTTP_1_0, headers10);
        this.handlersToRemove = List.copyOf(handlersToRemove);
    }

    private static List<Map.Entry<String, String>> headers(MultipartFormat format, boolean chunked,
            List<Map.Entry<String, String>> extra) {
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        headers.add(Map.entry("Content-Type", format.contentType()));
        headers.add(Map.entry("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"));
        headers.add(Map.entry("Pragma", "no-cache"));
        if (chunked) {
            headers.add(Map.entry("Transfer-Encoding", "chunked"));
        } else {
            headers.add(Map.entry("Connection", "close"));
        }
        headers.addAll(extra);
        return List.copyOf(headers);
    }

    private static ByteBuf head(HttpVersion version, List<Map.Entry<String, String>> headers) {
        StringBuilder head = new StringBuilder(256).append(version.text()).append(" 200 OK\r\n");
        for (Map.Entry<String, String> header : headers) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        return WireBytes.ascii(head.append("\r\n").toString());
    }

    /**
     * Streams {@code broadcaster}'s feed to the channel of {@code ctx} (the router's context). A GET turns the
     * connection into a stream for good; a HEAD gets the same headers through the codec, and the connection stays usable.
     *
     * @param maxFps the most frames per second this client gets ({@code ?fps=}, already checked), 0 for every frame
     */
    public void respond(ChannelHandlerContext ctx, HttpRequest request, String path, Broadcaster broadcaster,
            double maxFps) {
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
        StreamSession session = broadcaster.newSession(ctx.channel().eventLoop(), address, chunked, path, maxFps);
        // Just before the codec: behind TLS when there is TLS, so the raw parts are still encrypted.
        pipeline.addBefore(codecName, StreamSession.class.getSimpleName(), session);
        ChannelHandlerContext streamCtx = pipeline.context(session);
        // From here the session owns the wire: the HTTP codec and the request handlers are done.
        for (String name : handlersToRemove) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        session.start(streamCtx, (chunked ? head11 : head10).duplicate());
    }
}
