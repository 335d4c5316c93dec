package io.mjpegserver.server.http;

import io.netty.buffer.ByteBuf;
import io.mjpegserver.server.stream.WireBytes;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code /}: the viewer page, loaded once from the jar into an unreleasable buffer. */
final class IndexPage {

    private final ByteBuf page;

    IndexPage() {
        try (InputStream in = IndexPage.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html is missing from the jar");
            }
            page = WireBytes.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void respond(ChannelHandlerContext ctx, HttpRequest request) {
        Responses.send(ctx, request,
                Responses.of(request, HttpResponseStatus.OK, "text/html; charset=utf-8", page.duplicate()), false);
    }
}
