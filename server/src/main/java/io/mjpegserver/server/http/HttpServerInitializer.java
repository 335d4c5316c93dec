package io.mjpegserver.server.http;

import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.stream.StreamResponder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** Builds each connection's pipeline; see {@link PipelineNames} for the order. */
public final class HttpServerInitializer extends ChannelInitializer<Channel> {

    /** Longest request line and total header size we accept; clients of a camera stream send a few hundred bytes. */
    public static final int MAX_INITIAL_LINE = 4096;
    public static final int MAX_HEADER_SIZE = 8192;

    private final RequestRouter router;
    private final ChannelGroup channels;

    /** @param channels every accepted channel joins it, so shutdown can close them all */
    public HttpServerInitializer(FrameRing ring, StreamResponder stream, ChannelGroup channels) {
        this.router = new RequestRouter(new IndexPage(), new SnapshotResponder(ring), stream);
        this.channels = channels;
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast(PipelineNames.CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)));
        p.addLast(PipelineNames.ROUTER, router);
    }
}
