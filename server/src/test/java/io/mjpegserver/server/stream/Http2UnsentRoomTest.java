package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stream's part is given room on its connection before it is written, within both the connection's bound and the
 * bound over all connections, so that when the other connections hold the shared room the stream skips the part,
 * and a part given room is never refused at its write (which would reset the stream).
 */
class Http2UnsentRoomTest {

    private final List<String> rejects = new ArrayList<>();
    private final Http2UnsentTotal total = new Http2UnsentTotal(100_000, 80_000);
    private final Http2Unsent unsent = new Http2Unsent(total, TimeUnit.SECONDS.toNanos(3), rejects::add);

    @Test
    void aStreamFindsNoRoomWhileOtherConnectionsHoldTheSharedBound() {
        EmbeddedChannel connection = new EmbeddedChannel(unsent);
        try {
            assertTrue(total.reserve(60_000), "another connection's DATA");
            assertFalse(unsent.reserve(50_000), "the total would go over its bound");
            assertTrue(unsent.reserve(40_000), "what still fits in the total");
            unsent.settle();
            total.release(60_000);
            assertFalse(unsent.reserve(90_000), "over the connection's own bound");
            assertEquals(0, total.unsent(), "room not used went back");
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    @Test
    void aPartGivenRoomIsWrittenThoughAnotherLoopFilledTheTotalMeanwhile() {
        EmbeddedChannel connection = new EmbeddedChannel(unsent);
        try {
            assertTrue(unsent.reserve(50_000));
            assertTrue(total.reserve(50_000), "another loop's connection, between this one's room and its write");
            ChannelFuture write = connection.writeAndFlush(data(30_000));
            ChannelFuture rest = connection.writeAndFlush(data(20_000));
            unsent.settle();
            assertTrue(write.isSuccess() && rest.isSuccess(), "the part given room was refused at its write");
            assertEquals(List.of(), rejects, "a stream was cut off");
            releaseOutbound(connection);
            assertEquals(50_000, total.unsent(), "the part's room counted twice or not at all");
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    @Test
    void dataOverTheBoundResetsItsStreamAndIsCounted() {
        EmbeddedChannel connection = new EmbeddedChannel(unsent);
        try {
            ChannelFuture write = connection.writeAndFlush(data(90_000));
            assertFalse(write.isSuccess(), "DATA over the connection's bound went out");
            Object reset = connection.readOutbound();
            assertTrue(reset instanceof Http2ResetFrame r && r.errorCode() == Http2Error.ENHANCE_YOUR_CALM.code(),
                    "the stream was not reset: " + reset);
            assertNull(connection.readOutbound());
            assertEquals(List.of("unsent_bound"), rejects);
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    private static DefaultHttp2DataFrame data(int bytes) {
        return new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[bytes])).stream(Http2TestStreams.open(5));
    }

    private static void releaseOutbound(EmbeddedChannel connection) {
        for (Object written; (written = connection.readOutbound()) != null; ) {
            ReferenceCountUtil.release(written);
        }
    }
}
