package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Http2FrameClient;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 flow control, from a client that controls it (Netty's frame codec, windows returned by hand): one
 * connection, two streams of one feed. The client returns the window of one (a viewer) and never of the other
 * (a stalled tab). The stalled stream fills its window, then skips frames while its sibling gets them, and what
 * the server holds for it stays within about a part; after the client timeout the server resets it
 * (RST_STREAM) and the connection and the other stream go on; so is a snapshot its window holds back. The
 * server's SETTINGS_MAX_CONCURRENT_STREAMS comes from the client limits, and a stream over the limit gets its 503
 * on its own stream.
 */
class Http2FlowControlTest {

    private static final int FPS = 30;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);
    private static final int PER_ADDRESS = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String HEAD = "HTTP/2 200\r\nContent-Type: multipart/x-mixed-replace;boundary="
            + ServerFixture.BOUNDARY + "\r\n\r\n";

    @Test
    void aStalledStreamSkipsThenIsResetWhileItsSiblingGoesOn() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 360), FPS, 90, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                .clientTimeout(CLIENT_TIMEOUT).maxClientsPerAddress(PER_ADDRESS).build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerFixture server = ServerFixture.start(config, capture)) {
            int jpeg = Http.get(server.url("/snapshot")).body().length;
            // A big connection window: what a starved stream keeps must not starve its sibling.
            Http2FrameClient client = Http2FrameClient.connect(group, server.port(), 1 << 24);
            Channel channel = client.channel();

            Http2Settings settings = client.settings.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(PER_ADDRESS + 8, settings.maxConcurrentStreams(),
                    "SETTINGS_MAX_CONCURRENT_STREAMS: the per-address limit and room for short requests");

            Http2FrameStream viewer = client.open("/stream", false);
            Http2FrameStream stalled = client.open("/stream.mjpg", true);
            SessionStats stalledStats = await(server, s -> s.path().equals("/stream.mjpg") && s.framesSkipped() >= 10,
                    "the stalled stream skipping");
            SessionStats viewerAtStall = session(server, "/stream");
            assertNotNull(viewerAtStall, "the viewer's stream");
            assertEquals("HTTP/2", viewerAtStall.protocol());
            assertEquals(viewerAtStall.remote(), stalledStats.remote(), "one connection");

            // While it is stalled, the server holds at most about one part for it, however long it lasts.
            // A part: a frame (the test pattern's vary a little in size; a quarter of margin) and its fields.
            long part = jpeg * 5 / 4 + 256;
            long bound = Math.max(16 * 1024, part / 2) + part;
            long mostPending = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!client.reset.contains(stalled.id()) && System.nanoTime() - deadline < 0) {
                SessionStats s = session(server, "/stream.mjpg");
                if (s == null) {
                    break;
                }
                mostPending = Math.max(mostPending, s.pendingBytes());
                // Sample every 50 ms; the reset ends the wait at once.
                Http.eventually(Duration.ofMillis(50), () -> client.reset.contains(stalled.id()));
            }
            assertTrue(Http.eventually(WAIT, () -> client.reset.contains(stalled.id())),
                    "the server never reset the stalled stream");
            long finalMostPending = mostPending;
            assertTrue(mostPending <= bound, () -> "the stalled stream held " + finalMostPending + " bytes, bound " + bound);

            // The viewer went on meanwhile: at least a third of the frames of the client timeout (2 s at 30 fps).
            SessionStats viewerAtReset = session(server, "/stream");
            assertNotNull(viewerAtReset, "the viewer's stream ended with the stalled one");
            long duringStall = viewerAtReset.framesSent() - viewerAtStall.framesSent();
            assertTrue(duringStall >= FPS * CLIENT_TIMEOUT.toSeconds() / 3,
                    "the viewer got " + duringStall + " frames while its sibling stalled");
            // And after: the connection is up, the viewer's stream too.
            long floor = viewerAtReset.framesSent() + FPS;
            await(server, s -> s.path().equals("/stream") && s.framesSent() >= floor, "the viewer after the reset");
            assertFalse(client.goAway, "the connection was closed");
            assertFalse(client.reset.contains(viewer.id()), "the viewer's stream was reset");

            System.out.printf("HTTP/2 stalled stream: held at most %d bytes (bound %d), reset after the client timeout;"
                    + " its sibling got %d frames meanwhile%n", mostPending, bound, duringStall);
            // The viewer's DATA is exactly the multipart stream; its JPEGs decode.
            byte[] body = client.body(viewer);
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            framed.write(HEAD.getBytes(US_ASCII));
            framed.write(body);
            MultipartStreamReader reader = new MultipartStreamReader(new ByteArrayInputStream(framed.toByteArray()));
            long previous = 0;
            for (int i = 0; i < 20; i++) {
                MultipartStreamReader.Part p = reader.next();
                assertTrue(p.sequence() > previous, "sequence goes back");
                previous = p.sequence();
                if (i == 0) {
                    assertEquals(640, ImageIO.read(new ByteArrayInputStream(p.body())).getWidth());
                }
            }

            // Streams count against the per-address limit: with the viewer open, two more are admitted, the third
            // gets 503 on its own stream, and the connection stays.
            Http2FrameStream second = client.open("/stream?n=2", false);
            Http2FrameStream third = client.open("/stream?n=3", false);
            assertTrue(Http.eventually(WAIT, () -> "200".equals(client.status.get(second.id()))
                    && "200".equals(client.status.get(third.id()))), () -> "statuses: " + client.status);
            Http2FrameStream fourth = client.open("/stream?n=4", false);
            assertTrue(Http.eventually(WAIT, () -> client.status.containsKey(fourth.id())), () -> "statuses: " + client.status);
            assertEquals("503", client.status.get(fourth.id()));
            assertFalse(client.goAway, "the connection was closed");
            channel.close().sync();
            assertTrue(Http.eventually(WAIT, () -> server.server().streamClients().isEmpty()), "streams left open");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * A snapshot to a client whose window stays 0 (it never sends WINDOW_UPDATE) waits in the codec's flow control,
     * pinning its frame: after the client timeout its stream is reset (CANCEL), as a stalled stream session is, and
     * the connection goes on.
     */
    @Test
    void aSnapshotThatCannotBeSentIsResetAfterTheClientTimeout() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(320, 240), 10, 80, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).clientTimeout(CLIENT_TIMEOUT).build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerFixture server = ServerFixture.start(config, capture)) {
            Http2FrameClient client = Http2FrameClient.connect(group, server.port(), 1 << 24,
                    Http2Settings.defaultSettings().initialWindowSize(0));
            Channel channel = client.channel();
            client.settings.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long start = System.nanoTime();
            Http2FrameStream snapshot = client.open("/snapshot", true);
            assertTrue(Http.eventually(WAIT, () -> client.reset.contains(snapshot.id())), "the snapshot was never reset");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("200", client.status.get(snapshot.id()), "the snapshot's head went out");
            assertTrue(millis >= CLIENT_TIMEOUT.toMillis() * 9 / 10, "reset after " + millis + " ms, before the timeout");
            assertFalse(client.goAway, "the connection was closed");
            System.out.printf("HTTP/2 snapshot with window 0: reset after %d ms (client timeout %d ms)%n", millis,
                    CLIENT_TIMEOUT.toMillis());
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * An HTTP/2 connection with no stream open is closed after the request timeout, as an idle HTTP/1.1 keep-alive
     * is: one that sends the preface and nothing more (a slowloris), and one whose stream has ended.
     */
    @Test
    void aConnectionWithNoStreamIsClosedAfterTheRequestTimeout() throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(160, 120), 10, 70, 4);
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0)
                .requestTimeout(Duration.ofMillis(500)).build();
        try (ServerFixture server = ServerFixture.start(config, capture);
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            // The preface and an empty SETTINGS frame, then silence.
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII));
            socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
            long start = System.nanoTime();
            java.io.InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int goAway = -1;
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            byte[] bytes = all.toByteArray();
            // Walk the frames: SETTINGS, SETTINGS ack, GOAWAY.
            for (int at = 0; at + 9 <= bytes.length; at += 9 + ((bytes[at] & 0xFF) << 16 | (bytes[at + 1] & 0xFF) << 8 | bytes[at + 2] & 0xFF)) {
                if (bytes[at + 3] == 7) {
                    goAway = at;
                }
            }
            assertTrue(goAway >= 0, "no GOAWAY before the close");
            assertTrue(millis >= 400, "closed after " + millis + " ms, before the request timeout");
        }
    }

    private static SessionStats session(ServerFixture server, String path) {
        return server.server().streamClients().stream().filter(s -> s.path().equals(path)).findFirst().orElse(null);
    }

    private static SessionStats await(ServerFixture server, Predicate<SessionStats> condition, String what) throws Exception {
        SessionStats[] found = {null};
        boolean ok = Http.eventually(WAIT, () -> {
            for (SessionStats s : server.server().streamClients()) {
                if (condition.test(s)) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        });
        assertTrue(ok, () -> what + ": not within " + WAIT + "; sessions " + server.server().streamClients());
        return found[0];
    }
}
