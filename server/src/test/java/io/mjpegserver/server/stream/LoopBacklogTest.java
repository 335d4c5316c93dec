package io.mjpegserver.server.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.EmbeddedServer;
import org.junit.jupiter.api.Test;

/**
 * A loop that falls behind the source (its fan-out round takes longer than a frame period) skips to the newest
 * part: frames published while it was busy are not queued up and sent late, one after another.
 */
class LoopBacklogTest {

    @Test
    void aBusyLoopSendsOnlyTheNewestOfTheFramesPublishedMeanwhile() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.answer("GET /stream HTTP/1.0\r\n\r\n");
            // The embedded loop runs nothing until told: as a loop would be, busy with the round before.
            for (long sequence = 5; sequence <= 7; sequence++) {
                server.ring.publish(EmbeddedServer.frame(sequence, 1_700_000_000_000_000L + sequence, (byte) sequence));
            }
            server.channel.runPendingTasks();
            String sent = server.outboundText();
            assertEquals(1, count(sent, "Content-Type: image/jpeg"), sent);
            assertTrue(sent.contains("X-Frame-Sequence: 7\r\n"), sent);
            assertFalse(sent.contains("X-Frame-Sequence: 5\r\n") || sent.contains("X-Frame-Sequence: 6\r\n"), sent);

            // Once it keeps up, every frame goes out again.
            server.publish(EmbeddedServer.frame(8, 1_700_000_000_000_008L, (byte) 8));
            server.publish(EmbeddedServer.frame(9, 1_700_000_000_000_009L, (byte) 9));
            String later = server.outboundText();
            assertEquals(2, count(later, "Content-Type: image/jpeg"), later);
            assertTrue(later.indexOf("X-Frame-Sequence: 8\r\n") < later.indexOf("X-Frame-Sequence: 9\r\n"), later);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
