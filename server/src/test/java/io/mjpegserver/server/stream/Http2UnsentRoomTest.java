package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A part is offered to an HTTP/2 stream only while it fits both its connection's bound and the bound over all
 * connections, so that when the other connections hold the shared room the stream skips the part instead of having
 * its DATA refused and being reset.
 */
class Http2UnsentRoomTest {

    @Test
    void aStreamFindsNoRoomWhileOtherConnectionsHoldTheSharedBound() {
        Http2UnsentTotal total = new Http2UnsentTotal(100_000, 80_000);
        Http2Unsent unsent = new Http2Unsent(total, TimeUnit.SECONDS.toNanos(3), RejectListener.NONE);
        EmbeddedChannel connection = new EmbeddedChannel(unsent);
        try {
            assertTrue(unsent.hasRoom(50_000), "an empty connection, an empty total");
            assertTrue(total.reserve(60_000), "another connection's DATA");
            assertFalse(unsent.hasRoom(50_000), "the total would go over its bound");
            assertTrue(unsent.hasRoom(40_000), "what still fits in the total");
            total.release(60_000);
            assertTrue(unsent.hasRoom(50_000), "room again once the other connection's DATA went out");
            assertFalse(unsent.hasRoom(90_000), "over the connection's own bound");
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    @Test
    void dataOverTheBoundResetsItsStreamAndIsCounted() {
        List<String> rejects = new ArrayList<>();
        Http2Unsent unsent = new Http2Unsent(new Http2UnsentTotal(100_000, 80_000), TimeUnit.SECONDS.toNanos(3),
                rejects::add);
        EmbeddedChannel connection = new EmbeddedChannel(unsent);
        try {
            ChannelFuture write = connection.writeAndFlush(
                    new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[90_000])).stream(Http2TestStreams.open(5)));
            assertFalse(write.isSuccess(), "DATA over the connection's bound went out");
            Object reset = connection.readOutbound();
            assertTrue(reset instanceof Http2ResetFrame r && r.errorCode() == Http2Error.ENHANCE_YOUR_CALM.code(),
                    "the stream was not reset: " + reset);
            assertEquals(List.of("unsent_bound"), rejects);
        } finally {
            connection.finishAndReleaseAll();
        }
    }
}
