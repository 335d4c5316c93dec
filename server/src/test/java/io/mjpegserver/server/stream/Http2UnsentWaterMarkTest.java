package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 connection's write buffer takes a quarter of its unsent bound before it turns unwritable, so Netty's
 * flow controller hands the socket a round of its streams' parts in one pass rather than 64 KiB at a time.
 */
class Http2UnsentWaterMarkTest {

    @Test
    void theConnectionTakesAQuarterOfItsBoundBeforeItTurnsUnwritable() {
        EmbeddedChannel connection = new EmbeddedChannel(
                new Http2Unsent(new Http2UnsentTotal(64L << 20, 8L << 20), TimeUnit.SECONDS.toNanos(3),
                        RejectListener.NONE));
        try {
            WriteBufferWaterMark marks = connection.config().getWriteBufferWaterMark();
            assertEquals(2 << 20, marks.high());
            assertEquals(1 << 20, marks.low());
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    @Test
    void aSmallBoundKeepsNettysDefaultHighWaterMark() {
        EmbeddedChannel connection = new EmbeddedChannel(
                new Http2Unsent(new Http2UnsentTotal(128 << 10, 128 << 10), TimeUnit.SECONDS.toNanos(3),
                        RejectListener.NONE));
        try {
            assertEquals(64 << 10, connection.config().getWriteBufferWaterMark().high());
        } finally {
            connection.finishAndReleaseAll();
        }
    }
}
