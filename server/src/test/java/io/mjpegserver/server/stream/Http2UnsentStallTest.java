package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection that stays unwritable is closed as stalled only when its socket took nothing for the timeout: one whose
 * socket keeps taking DATA (a client reading slower than the feed) stays open, and DATA dropped rather than taken
 * does not count as taken.
 */
class Http2UnsentStallTest {

    private static final long TIMEOUT_MILLIS = 1_000;
    /** Well inside the timeout, so a loaded machine's pauses cannot make the steady writer look stalled. */
    private static final long WRITE_EVERY_MILLIS = 100;

    @Test
    void aConnectionWhoseSocketKeepsTakingDataStaysOpenWhileUnwritable() throws Exception {
        EmbeddedChannel connection = new EmbeddedChannel(unsent());
        try {
            connection.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            writeFor(connection, 3 * TIMEOUT_MILLIS);
            assertTrue(connection.isOpen(), "closed while its socket took DATA every " + WRITE_EVERY_MILLIS + " ms");
            assertTrue(closesWithin(connection, 3 * TIMEOUT_MILLIS), "open though its socket took nothing since");
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    @Test
    void dataDroppedRatherThanTakenIsNoProgress() throws Exception {
        List<String> rejects = new CopyOnWriteArrayList<>();
        EmbeddedChannel connection = new EmbeddedChannel(new DropEveryWrite(), unsent(rejects::add));
        try {
            connection.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            writeFor(connection, 3 * TIMEOUT_MILLIS);
            assertFalse(connection.isOpen(), "open though every DATA it was given was dropped");
            assertEquals(List.of("client_timeout"), rejects, "counted as a client that took nothing");
        } finally {
            connection.finishAndReleaseAll();
        }
    }

    private static Http2Unsent unsent() {
        return unsent(RejectListener.NONE);
    }

    private static Http2Unsent unsent(RejectListener rejects) {
        return new Http2Unsent(new Http2UnsentTotal(64L << 20, 8L << 20), TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS),
                rejects);
    }

    /** Writes and flushes a DATA frame every {@link #WRITE_EVERY_MILLIS} for {@code millis}, or until it closes. */
    private static void writeFor(EmbeddedChannel connection, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end && connection.isOpen()) {
            connection.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[1000])).stream(STREAM));
            releaseOutbound(connection);
            connection.runPendingTasks();
            Thread.sleep(WRITE_EVERY_MILLIS);
        }
    }

    private static boolean closesWithin(EmbeddedChannel connection, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end && connection.isOpen()) {
            connection.runPendingTasks();
            Thread.sleep(WRITE_EVERY_MILLIS);
        }
        return !connection.isOpen();
    }

    private static void releaseOutbound(EmbeddedChannel connection) {
        for (Object written; (written = connection.readOutbound()) != null; ) {
            ReferenceCountUtil.release(written);
        }
    }

    /** Fails every write, as a stream reset drops the DATA it had queued. */
    private static final class DropEveryWrite extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new IOException("dropped"));
        }
    }

    private static final Http2FrameStream STREAM = Http2TestStreams.open(3);
}
