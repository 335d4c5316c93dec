package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameListener;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.LiveFrames;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 300 stream clients at 1080p that stop reading at different moments, spread over ten seconds, beside 5 that
 * read. A stalled client pins the frame it stalled on; each pins another frame, so what bounds memory is how
 * long a frame may stay pinned: a part not taken by a client's socket within the client timeout closes the
 * client. The bound, in frames alive anywhere in the server:
 * <pre>ring (--ring-size frames, or --ring-seconds of them) + 2 loops' newest parts + 2 in the making
 *     + fps x (client timeout + 1 s)</pre>
 * (the second is the check's granularity: the next frame, or the one-second repeat), whenever in its window
 * each client stalled.
 */
class StalledClientsTest {

    private static final int STALLED = 300;
    private static final int READERS = 5;
    private static final int FPS = 30;
    private static final Duration SPREAD = Duration.ofSeconds(10);
    /** What the README promises of the default configuration: a 3 s client timeout, so 4 s of frames at most. */
    private static final double DEFAULT_TIMEOUT_SECONDS = 3;

    @Test
    void stallsAtDifferentMomentsPinAtMostOneTimeoutOfFrames() throws Exception {
        LiveFrames frames = new LiveFrames();
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(1920, 1080), FPS, 80, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build();
        ExecutorService pool = Executors.newCachedThreadPool();
        List<SocketChannel> stalled = new ArrayList<>();
        try (ServerFixture server = ServerFixture.start(config, capture, frames.track(FrameSources.create(capture)),
                io.netty.buffer.PooledByteBufAllocator.DEFAULT)) {
            List<AtomicLong> read = new ArrayList<>();
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                AtomicLong count = new AtomicLong();
                read.add(count);
                readers.add(pool.submit(StreamClient.counting(server.port(), "/stream", count)));
            }
            for (int i = 0; i < STALLED; i++) {
                SocketChannel channel = SocketChannel.open();
                stalled.add(channel);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                channel.connect(new InetSocketAddress("127.0.0.1", server.port()));
                channel.write(ByteBuffer.wrap("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII)));
                channel.configureBlocking(false);
            }
            assertTrue(Http.eventually(Duration.ofSeconds(20),
                    () -> server.server().streamClients().size() == STALLED + READERS), "all connected");

            // Client i reads until its moment, then never again: the moments are spread evenly over SPREAD.
            long started = System.nanoTime();
            AtomicInteger stillReading = new AtomicInteger(STALLED);
            Future<?> drainer = pool.submit(() -> drainUntilTheirMoments(stalled, started, stillReading));
            FrameSizes sizes = new FrameSizes();
            server.server().ring().addListener(sizes);
            long[] before = read.stream().mapToLong(AtomicLong::get).toArray();
            long peakFrames = 0;
            long peakBytes = 0;
            long end = started + SPREAD.toNanos() + config.limits().clientTimeout().toNanos() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < end) {
                peakFrames = Math.max(peakFrames, frames.live());
                peakBytes = Math.max(peakBytes, frames.liveBytes());
                TimeUnit.MILLISECONDS.sleep(50);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            server.server().ring().removeListener(sizes);
            drainer.get(10, TimeUnit.SECONDS);
            long[] after = read.stream().mapToLong(AtomicLong::get).toArray();
            double slowest = Double.MAX_VALUE;
            for (int r = 0; r < READERS; r++) {
                slowest = Math.min(slowest, (after[r] - before[r]) / seconds);
            }

            double timeout = DEFAULT_TIMEOUT_SECONDS;
            // What the ring keeps by design: --ring-size frames, or --ring-seconds of them at the source's rate.
            long ring = Math.max(capture.ringSize(),
                    (long) Math.ceil(FPS * CaptureOptions.DEFAULTS.ringSeconds()) + 1);
            long bound = ring + 2 + 2 + (long) Math.ceil(FPS * (timeout + 1.0));
            System.out.printf("stalled: %d clients stalling over %d s at 1080p; peak %d frames alive (%d MB, frames up to"
                    + " %d KB); bound %d frames (ring %d + 4 + %d fps x (%.1f s timeout + 1 s)); slowest reader %.1f fps%n",
                    STALLED, SPREAD.toSeconds(), peakFrames, peakBytes >> 20, sizes.max() >> 10, bound,
                    ring, FPS, timeout, slowest);
            assertTrue(peakFrames <= bound, "peak " + peakFrames + " frames alive > bound " + bound);
            assertTrue(peakBytes <= bound * sizes.max(), "peak " + peakBytes + " bytes of frames > bound");
            assertTrue(Http.eventually(Duration.ofSeconds(10),
                    () -> server.server().streamClients().size() == READERS), "every stalled client was closed");
            // The readers keep the source's rate, with the margin a loaded 2-core machine needs.
            assertTrue(slowest >= FPS * 0.6, "the slowest reader got " + slowest + " fps");
            readers.forEach(f -> f.cancel(true));
        } finally {
            for (SocketChannel channel : stalled) {
                channel.close();
            }
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Reads and drops what each stalled client receives until its moment, then leaves it unread. */
    private static Void drainUntilTheirMoments(List<SocketChannel> channels, long started, AtomicInteger stillReading)
            throws IOException, InterruptedException {
        ByteBuffer sink = ByteBuffer.allocateDirect(256 * 1024);
        long spread = SPREAD.toNanos();
        while (stillReading.get() > 0) {
            long now = System.nanoTime() - started;
            int reading = 0;
            for (int i = 0; i < channels.size(); i++) {
                if (now < spread * i / channels.size()) {
                    reading++;
                    SocketChannel channel = channels.get(i);
                    try {
                        while (channel.read(sink.clear()) > 0) {
                            // Dropped.
                        }
                    } catch (IOException closed) {
                        // Closed by the server: nothing to read.
                    }
                }
            }
            stillReading.set(reading);
            // Polling non-blocking sockets; the pace of reading, not synchronisation.
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return null;
    }

    /** The largest frame published while it listens. */
    private static final class FrameSizes implements FrameListener {
        private volatile int max;

        @Override
        public void onFrame(io.mjpegserver.capture.frame.Frame frame) {
            max = Math.max(max, frame.size());
        }

        long max() {
            return max;
        }
    }
}
