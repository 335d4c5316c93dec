package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.mjpegserver.capture.source.TestPatternCode;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

/**
 * A relay chain over real sockets: server A on the test pattern, server B relaying A to 200 clients. A serves
 * exactly one stream (B's); every client of B decodes A's frame numbers, increasing. A stops: B's clients get
 * NO SIGNAL frames; A starts again on its port: the same connections get live frames again.
 */
class RelayChainTest {

    private static final int CLIENTS = 200;
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ServerFixture origin(int port) throws Exception {
        return ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(port).build(),
                new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(WIDTH, HEIGHT), 5, 80, 4));
    }

    /** What one client of B saw, frame by frame: A's frame number, or -1 for NO SIGNAL. */
    private static final class Seen {
        final List<Long> frames = new ArrayList<>();
        long lastSequence;

        synchronized void add(long frame) {
            frames.add(frame);
        }

        synchronized boolean sawLiveNoSignalLive() {
            int state = 0;
            for (long f : frames) {
                if (state == 0 && f >= 0) {
                    state = 1;
                } else if (state == 1 && f < 0) {
                    state = 2;
                } else if (state == 2 && f >= 0) {
                    return true;
                }
            }
            return false;
        }

        synchronized long liveFrames() {
            return frames.stream().filter(f -> f >= 0).count();
        }

        synchronized boolean sawNoSignal() {
            return frames.contains(-1L);
        }
    }

    @Test
    void twoHundredClientsOfARelayFollowTheOriginThroughARestart() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ServerFixture origin = origin(port);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        AtomicBoolean reading = new AtomicBoolean(true);
        FeedConfig relayed = new FeedConfig("upstream", new CaptureConfig(new SourceSpec.Url(
                URI.create("http://127.0.0.1:" + port + "/stream")), null, 0, 80, 4), CaptureOptions.DEFAULTS);
        try (ServerFixture relay = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0)
                .maxClients(0).build(), List.of(relayed))) {
            List<Seen> seen = new ArrayList<>();
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Seen s = new Seen();
                seen.add(s);
                clients.add(pool.submit(() -> read(relay.port(), s, reading)));
            }
            assertTrue(Http.eventually(WAIT, () -> seen.stream().allMatch(s -> s.liveFrames() >= 3)),
                    "every client of the relay decodes the origin's frames");
            assertEquals(1, origin.server().streamClients().size(), "the origin serves one stream, the relay's");
            for (Seen s : seen) {
                List<Long> live;
                synchronized (s) {
                    live = s.frames.stream().filter(f -> f >= 0).toList();
                }
                for (int i = 1; i < live.size(); i++) {
                    assertTrue(live.get(i) > live.get(i - 1), "the origin's frame numbers increase: " + live);
                }
            }

            origin.close();
            assertTrue(Http.eventually(WAIT, () -> seen.stream().allMatch(Seen::sawNoSignal)),
                    "every client sees NO SIGNAL while the origin is gone");
            assertEquals(503, Http.get(relay.url("/healthz")).statusCode(), "the relayed feed is down");

            origin = origin(port);
            assertTrue(Http.eventually(WAIT, () -> seen.stream().allMatch(Seen::sawLiveNoSignalLive)),
                    "every client gets live frames again, on the same connection");
            assertEquals(CLIENTS, relay.server().streamClients().size(), "no client was dropped");
            assertEquals(1, origin.server().streamClients().size(), "the new origin serves one stream");
            assertEquals(200, Http.get(relay.url("/healthz")).statusCode());
            reading.set(false);
            for (Future<?> client : clients) {
                client.get(20, TimeUnit.SECONDS);
            }
        } finally {
            reading.set(false);
            origin.close();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    private static Void read(int port, Seen seen, AtomicBoolean reading) throws IOException {
        try (StreamClient client = StreamClient.open(port, "/stream", "1.1")) {
            while (reading.get()) {
                MultipartStreamReader.Part part = client.next();
                assertTrue(part.sequence() > seen.lastSequence, "the relay's sequence increases");
                seen.lastSequence = part.sequence();
                seen.add(frameNumber(part.body()));
            }
        }
        return null;
    }

    /** A's frame number burnt into a live frame, or -1 for a NO SIGNAL frame; decoded at half size, for speed. */
    private static long frameNumber(byte[] jpeg) throws IOException {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            try {
                reader.setInput(in);
                ImageReadParam half = reader.getDefaultReadParam();
                half.setSourceSubsampling(2, 2, 0, 0);
                image = reader.read(0, half);
            } finally {
                reader.dispose();
            }
        }
        int corner = image.getRGB(2, 2) & 0xFF;
        if (Math.abs(corner - NoSignalImage.BACKGROUND_LEVEL) < 16) {
            return -1;
        }
        assertTrue(corner > 200, "a live frame starts with the white bar: " + corner);
        return TestPatternCode.read(WIDTH, HEIGHT, (x, y) -> {
            int rgb = image.getRGB(x / 2, y / 2);
            return (299 * ((rgb >> 16) & 0xFF) + 587 * ((rgb >> 8) & 0xFF) + 114 * (rgb & 0xFF)) / 1000;
        });
    }
}
