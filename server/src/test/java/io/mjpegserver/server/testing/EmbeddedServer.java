package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.http.HttpServerInitializer;
import io.mjpegserver.server.http.PipelineNames;
import io.mjpegserver.server.stream.Broadcaster;
import io.mjpegserver.server.stream.MultipartFormat;
import io.mjpegserver.server.stream.StreamResponder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real connection pipeline on an {@link EmbeddedChannel}, with its own ring and broadcaster: requests
 * go in as bytes, responses come out as the exact bytes a socket would carry.
 */
public final class EmbeddedServer implements AutoCloseable {

    public final EmbeddedChannel channel;
    public final FrameRing ring = new FrameRing(4);
    public final Broadcaster broadcaster;

    public EmbeddedServer() {
        this(Duration.ofSeconds(10));
    }

    public EmbeddedServer(Duration clientTimeout) {
        channel = new EmbeddedChannel();
        broadcaster = new Broadcaster(channel.eventLoop(), new MultipartFormat(MultipartFormat.DEFAULT_BOUNDARY),
                UnpooledByteBufAllocator.DEFAULT, Duration.ofSeconds(1), clientTimeout);
        ring.addListener(broadcaster);
        StreamResponder stream = new StreamResponder(broadcaster, List.of(), PipelineNames.REQUEST_PHASE);
        channel.pipeline().addLast(new HttpServerInitializer(ring, stream,
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE)));
    }

    /** A frame whose JPEG is {@code FF D8 <payload> FF D9} in a direct buffer; the caller owns it. */
    public static Frame frame(long sequence, long wallClockMicros, byte... payload) {
        ByteBuf jpeg = Unpooled.directBuffer(payload.length + 4);
        jpeg.writeShort(0xFFD8).writeBytes(payload).writeShort(0xFFD9);
        return new Frame(sequence, System.nanoTime(), wallClockMicros, 16, 16, jpeg);
    }

    /** Feeds {@code request} (ISO-8859-1 text) to the server. */
    public void request(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, ISO_8859_1));
        channel.runPendingTasks();
    }

    /** Publishes {@code frame} (ownership passes to the ring) and runs the fan-out tasks. */
    public void publish(Frame frame) {
        ring.publish(frame);
        channel.runPendingTasks();
    }

    /** Everything written since the last call, as buffers in order; the caller releases them. */
    public List<ByteBuf> outbound() {
        List<ByteBuf> out = new ArrayList<>();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            out.add((ByteBuf) msg);
        }
        return out;
    }

    /** Everything written since the last call, as text; releases the buffers. */
    public String outboundText() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf buf : outbound()) {
            text.append(buf.toString(ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    @Override
    public void close() {
        broadcaster.close();
        channel.runPendingTasks();
        channel.finishAndReleaseAll();
        ring.close();
    }
}
