package io.mjpegserver.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.server.stream.RejectListener;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP/2 codec passes on of a connection's exceptions ends at the guard, last in the pipeline, and never
 * at Netty's tail (a warning with a stack trace per client that resets): an {@link Error} goes to the fatal
 * handler, a socket error closes the connection.
 */
class Http2ConnectionGuardTest {

    private final List<String> fatalWhere = new ArrayList<>();
    private final List<Throwable> fatalErrors = new ArrayList<>();
    private final FatalErrorHandler fatal = (where, error) -> {
        fatalWhere.add(where);
        fatalErrors.add(error);
    };
    private final EmbeddedChannel channel = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(),
            new Http2ConnectionGuard(TimeUnit.SECONDS.toNanos(30), RejectListener.NONE, fatal,
                    new ThrottledLog(LoggerFactory.getLogger(Http2ConnectionGuardTest.class), ThrottledLog.INTERVAL_NANOS)));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void anErrorOnTheConnectionGoesToTheFatalHandler() {
        OutOfMemoryError error = new OutOfMemoryError("test");
        channel.pipeline().fireExceptionCaught(new DecoderException(error));
        channel.checkException();
        assertEquals(1, fatalErrors.size(), "fatal handler calls");
        assertSame(error, fatalErrors.get(0));
        assertTrue(fatalWhere.get(0).startsWith("event loop "), fatalWhere.get(0));
    }

    @Test
    void aResetByTheClientClosesTheConnection() {
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        channel.checkException();
        channel.runPendingTasks();
        assertFalse(channel.isOpen(), "closed");
        assertTrue(fatalErrors.isEmpty(), "not fatal: " + fatalErrors);
    }
}
