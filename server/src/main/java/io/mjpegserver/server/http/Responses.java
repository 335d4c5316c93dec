package io.mjpegserver.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Writing whole responses with the right keep-alive behaviour. */
final class Responses {

    private Responses() {
    }

    /**
     * A response for {@code request} with {@code body} (ownership passes to the response) and the body's
     * length; a HEAD request gets the headers only.
     */
    static FullHttpResponse of(HttpRequest request, HttpResponseStatus status, CharSequence contentType, ByteBuf body) {
        HttpVersion version = request == null ? HttpVersion.HTTP_1_1 : request.protocolVersion();
        boolean head = request != null && HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, head ? Unpooled.EMPTY_BUFFER : body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (head) {
            body.release();
        }
        return response;
    }

    /** A short plain-text error for {@code request} (which may be null when it could not be parsed). */
    static FullHttpResponse error(HttpRequest request, HttpResponseStatus status, String detail) {
        ByteBuf body = Unpooled.copiedBuffer(status + (detail.isEmpty() ? "" : ": " + detail) + "\n", UTF_8);
        return of(request, status, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8", body);
    }

    /** A short plain-text body. */
    static FullHttpResponse text(HttpRequest request, HttpResponseStatus status, String text) {
        return of(request, status, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8", Unpooled.copiedBuffer(text, UTF_8));
    }

    /** Sends {@code response}, keeping the connection when the request allows it and {@code close} is false. */
    static void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response, boolean close) {
        boolean keepAlive = !close && request != null && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
