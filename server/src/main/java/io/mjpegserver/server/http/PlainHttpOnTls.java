package io.mjpegserver.server.http;

import io.mjpegserver.server.stream.RejectListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * First on a TLS port: a connection whose first bytes are a TLS record goes on to the TLS handler (this one
 * steps aside, handing it those bytes); one that speaks plain HTTP gets one 400 saying to use https, then the
 * connection is closed, instead of a TLS alert its client cannot read. Bytes in are released by the decoder; the
 * answer, a new wrapper of a shared array, by the write.
 */
final class PlainHttpOnTls extends ByteToMessageDecoder {

    /** A TLS record header: content type, version, length. */
    private static final int RECORD_HEADER = 5;
    private static final String WORDS = "400 Bad Request: this port speaks HTTPS; use https:// instead of http://\n";
    private static final byte[] ANSWER = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + WORDS.length() + "\r\nConnection: close\r\n\r\n" + WORDS)
            .getBytes(StandardCharsets.US_ASCII);

    private final RejectListener rejects;

    PlainHttpOnTls(RejectListener rejects) {
        this.rejects = rejects;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().remove(this);
            return;
        }
        in.skipBytes(in.readableBytes());
        rejects.rejected("bad_request");
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
    }
}
