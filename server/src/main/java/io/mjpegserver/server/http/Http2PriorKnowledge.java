package io.mjpegserver.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * First on a cleartext connection: reads the first bytes. HTTP/2's connection preface
 * ({@code PRI * HTTP/2.0...}, a client with prior knowledge, {@code curl --http2-prior-knowledge}) turns the
 * connection into HTTP/2; anything else is HTTP/1 and goes on to the codec. Either way this handler then
 * leaves, handing on the bytes it held.
 */
final class Http2PriorKnowledge extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Http2Connections http2;

    Http2PriorKnowledge(Http2Connections http2) {
        this.http2 = http2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), length)) {
            ctx.pipeline().remove(this);
        } else if (length == PREFACE.readableBytes()) {
            http2.install(ctx.pipeline());
            ctx.pipeline().remove(this);
        }
        // Else a prefix of the preface so far: wait for more.
    }
}
