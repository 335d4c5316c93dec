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

    private static LoadConfig config(boolean http10) {
        LoadConfig.Target target = LoadConfig.target("http://localhost:8080/?action=stream");
        return new LoadConfig(target.address(), target.hostHeader(), target.path(), 1, 100, Duration.ZERO,
                Duration.ofSeconds(1), http10, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, (Path) null, null);
    }

    @Test
    void sendsTheRequestAndCountsFramesGapsRepeatsAndInvalidParts() {
        RunState run = new RunState();
        run.phase(RunState.Phase.MEASURE);
        StreamClient client = new StreamClient(run, LoadRun.request(config(false)));
        EmbeddedChannel channel = new EmbeddedChannel(client);
        try {
            ByteBuf request = channel.readOutbound();
            try {
                assertEquals("GET /?action=stream HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: mjpeg-bench\r\n"
                        + "Accept: */*\r\n\r\n", request.toString(US_ASCII));
            } finally {
                request.release();
            }
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
                channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, cuts[i - 1], cuts[i])));
            }
            assertTrue(channel.isActive(), "a good stream stays open");
            assertEquals(3, client.frames);
            assertEquals(2, client.skipped);
            assertEquals(1, client.repeats);
            assertEquals(1, client.invalid);
            assertEquals(bytes.length, client.bytes);
            assertEquals(3, run.latency.getIntervalHistogram().getTotalCount());
            assertEquals(0, run.protocolErrors.get());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aProtocolErrorClosesTheConnectionAndIsCountedOnce() {
        RunState run = new RunState();
        run.phase(RunState.Phase.WARMUP);
        StreamClient client = new StreamClient(run, LoadRun.request(config(true)));
        EmbeddedChannel channel = new EmbeddedChannel(client);
        try {
            ByteBuf request = channel.readOutbound();
            try {
                assertTrue(request.toString(US_ASCII).startsWith("GET /?action=stream HTTP/1.0\r\n"));
            } finally {
                request.release();
            }
            channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.0 503 Service Unavailable\r\n\r\n", US_ASCII));
            assertFalse(channel.isActive());
            assertEquals(1, run.protocolErrors.get());
            assertEquals(0, run.disconnects.get(), "our own close is not a disconnect");
            assertEquals(0, client.frames, "nothing counted outside the window");
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void theServerClosingInsideAPartIsATruncatedDisconnect() {
        RunState run = new RunState();
        run.phase(RunState.Phase.MEASURE);
        EmbeddedChannel channel = new EmbeddedChannel(new StreamClient(run, LoadRun.request(config(true))));
        try {
            ((ByteBuf) channel.readOutbound()).release();
            byte[] bytes = StreamBytes.raw().part(1, "1.0", StreamBytes.jpeg(100)).bytes();
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(bytes, bytes.length - 40)));
            channel.close();
            assertEquals(1, run.disconnects.get());
            assertEquals(1, run.truncated.get());
        } finally {
            channel.finishAndReleaseAll();
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
