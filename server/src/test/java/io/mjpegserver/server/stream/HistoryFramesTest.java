package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.EmbeddedServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Frames from before a feed went down or to sleep ({@code FrameRing.interrupt()}) are history: never sent as the
 * current frame, neither to a stream client that joins, nor by the repeat, nor as a snapshot; and every part says
 * whether its frame is the source's own ({@code X-Source-Online}).
 */
class HistoryFramesTest {

    private static final Duration REPEAT = Duration.ofMillis(10);

    @Test
    void aPlaceholderPartSaysTheSourceIsOffline() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.answer("GET /stream HTTP/1.0\r\n\r\n");
            server.publish(placeholder(3));
            String part = server.outboundText();
            assertTrue(part.contains("X-Frame-Sequence: 3\r\nX-Source-Online: false\r\n\r\n"), part);
            server.publish(EmbeddedServer.frame(4, 1_700_000_000_000_000L, (byte) 4));
            assertTrue(server.outboundText().contains("X-Source-Online: true\r\n"));
        }
    }

    @Test
    void aClientThatJoinsAfterAnInterruptionGetsTheNextFrameNotTheOldOne() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.publish(EmbeddedServer.frame(1, 1_700_000_000_000_000L, (byte) 1));
            server.ring.interrupt();
            String head = server.answer("GET /stream HTTP/1.0\r\n\r\n");
            assertTrue(head.endsWith("--boundarydonotcross\r\n"), head);
            assertFalse(head.contains("X-Frame-Sequence"), "no part from before the interruption: " + head);
            server.publish(EmbeddedServer.frame(2, 1_700_000_000_000_001L, (byte) 2));
            assertTrue(server.outboundText().contains("X-Frame-Sequence: 2\r\n"));
        }
    }

    @Test
    void theRepeatStopsAtAnInterruption() throws Exception {
        try (EmbeddedServer server = new EmbeddedServer(ServerConfig.builder().repeat(REPEAT).build())) {
            server.answer("GET /stream HTTP/1.0\r\n\r\n");
            server.publish(EmbeddedServer.frame(1, 1_700_000_000_000_000L, (byte) 1));
            assertTrue(server.outboundText().contains("X-Frame-Sequence: 1\r\n"));
            assertTrue(repeated(server, 2_000), "the repeat works while the frame is current");
            server.ring.interrupt();
            server.outboundText();
            assertFalse(repeated(server, 200), "no repeat of a frame from before the interruption");
        }
    }

    @Test
    void aSnapshotWaitsForAFrameOfNow() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.publish(EmbeddedServer.frame(1, 1_700_000_000_000_000L, (byte) 1));
            server.ring.interrupt();
            assertEquals("", server.answer("GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\n"), "no answer with the old frame");
            server.publish(placeholder(2));
            String answer = server.outboundText();
            assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
            assertTrue(answer.contains("X-Frame-Sequence: 2\r\n"), answer);
            assertTrue(answer.contains("X-Source-Online: false\r\n"), answer);
        }
    }

    @Test
    void atDoesNotReachBackAcrossAnInterruption() throws Exception {
        try (EmbeddedServer server = new EmbeddedServer()) {
            ByteBuf jpeg = Unpooled.directBuffer(8).writeShort(0xFFD8).writeShort(0xFFD9);
            server.publish(new Frame(1, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(50), 1_700_000_000_000_000L,
                    16, 16, jpeg));
            assertTrue(server.answer("GET /snapshot?at=-0.01 HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200 OK\r\n"), "the frame before is found");
            server.ring.interrupt();
            TimeUnit.MILLISECONDS.sleep(20); // so that 10 ms ago is after the interruption
            String answer = server.answer("GET /snapshot?at=-0.01 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 404 "), answer);
            assertTrue(server.answer("GET /snapshot?seq=1 HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200 OK\r\n"), "history by its number is still there");
        }
    }

    /** Whether the loop repeats the stream's newest part within {@code millis}. */
    private static boolean repeated(EmbeddedServer server, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - deadline < 0) {
            server.channel.runScheduledPendingTasks();
            server.channel.runPendingTasks();
            if (server.outboundText().contains("X-Frame-Sequence")) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return false;
    }

    private static Frame placeholder(long sequence) {
        ByteBuf jpeg = Unpooled.directBuffer(8).writeShort(0xFFD8).writeShort(0xFFD9);
        return new Frame(sequence, System.nanoTime(), 1_700_000_000_000_000L, 16, 16, jpeg, false);
    }
}
