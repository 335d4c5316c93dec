package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamClientTest {

    /** One client of a run in {@code phase} on an embedded channel; closing finishes the channel. */
    private record Connection(RunState run, StreamClient client, EmbeddedChannel channel) implements AutoCloseable {

        static Connection open(RunState.Phase phase, boolean http10) {
            LoadConfig.Target target = LoadConfig.target("http://localhost:8080/?action=stream");
            LoadConfig config = new LoadConfig(target.address(), target.hostHeader(), target.path(), 1, 100,
                    Duration.ZERO, Duration.ofSeconds(1), http10, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 0,
                    (Path) null, null);
            RunState run = new RunState();
            run.phase(phase);
            StreamClient client = new StreamClient(run, LoadRun.request(config));
            return new Connection(run, client, new EmbeddedChannel(client));
        }

        /** The request the client sent on connecting. */
        String request() {
            ByteBuf request = channel.readOutbound();
            try {
                return request.toString(US_ASCII);
            } finally {
                request.release();
            }
        }

        @Override
        public void close() {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void sendsTheRequestAndCountsFramesGapsRepeatsAndInvalidParts() {
        try (Connection c = Connection.open(RunState.Phase.MEASURE, false)) {
            assertEquals("GET /?action=stream HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: mjpeg-bench\r\n"
                    + "Accept: */*\r\n\r\n", c.request());
            long micros = StreamClient.wallClockMicros();
            String now = String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
            byte[] notJpeg = StreamBytes.jpeg(10);
            notJpeg[0] = 0;
            byte[] bytes = StreamBytes.chunked()
                    .part(5, now, StreamBytes.jpeg(100))
                    .part(6, now, StreamBytes.jpeg(100))
                    .part(9, now, StreamBytes.jpeg(100)) // 7 and 8 skipped
                    .part(9, now, StreamBytes.jpeg(100)) // the same frame again
                    .part(10, now, notJpeg)
                    .bytes();
            // In three reads, cut inside a header and inside a JPEG.
            int[] cuts = {0, 150, 333, bytes.length};
            for (int i = 1; i < cuts.length; i++) {
                c.channel().writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, cuts[i - 1], cuts[i])));
            }
            assertTrue(c.channel().isActive(), "a good stream stays open");
            assertEquals(3, c.client().frames);
            assertEquals(2, c.client().skipped);
            assertEquals(1, c.client().repeats);
            assertEquals(1, c.client().invalid);
            assertEquals(bytes.length, c.client().bytes);
            assertEquals(3, c.run().latency.getIntervalHistogram().getTotalCount());
            assertEquals(0, c.run().protocolErrors.get());
        }
    }

    @Test
    void aProtocolErrorClosesTheConnectionAndIsCountedOnce() {
        try (Connection c = Connection.open(RunState.Phase.WARMUP, true)) {
            assertTrue(c.request().startsWith("GET /?action=stream HTTP/1.0\r\n"));
            c.channel().writeInbound(Unpooled.copiedBuffer("HTTP/1.0 503 Service Unavailable\r\n\r\n", US_ASCII));
            assertFalse(c.channel().isActive());
            assertEquals(1, c.run().protocolErrors.get());
            assertEquals(0, c.run().disconnects.get(), "our own close is not a disconnect");
            assertEquals(0, c.client().frames, "nothing counted outside the window");
        }
    }

    @Test
    void theServerClosingInsideAPartIsATruncatedDisconnect() {
        try (Connection c = Connection.open(RunState.Phase.MEASURE, true)) {
            c.request();
            byte[] bytes = StreamBytes.raw().part(1, "1.0", StreamBytes.jpeg(100)).bytes();
            c.channel().writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(bytes, bytes.length - 40)));
            c.channel().close();
            assertEquals(1, c.run().disconnects.get());
            assertEquals(1, c.run().truncated.get());
        }
    }

    @Test
    void onlyThisMachineIsLoaded() {
        for (String url : new String[] {"http://10.0.0.1:8080/stream", "http://example.com/", "https://127.0.0.1/",
                "http://user@127.0.0.1/", "http://127.0.0.2/", "not a url"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoadConfig.target(url), url);
            assertTrue(e.getMessage().startsWith("url: "), e.getMessage());
        }
        LoadConfig.Target t = LoadConfig.target("http://LOCALHOST:9000");
        assertEquals("127.0.0.1", t.address().getAddress().getHostAddress());
        assertEquals("/", t.path());
    }
}
