package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
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
        Http2Unsent unsent = new Http2Unsent(total, TimeUnit.SECONDS.toNanos(3));
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
}
