package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.capture.derive.Wall;
import io.mjpegserver.capture.derive.WallLayout;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.server.config.DeriveConfig;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Http2FrameClient;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.PatternMarker;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2FrameStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Variants, per-feed transforms and walls on a real server: sizes and qualities asked for, decoded; the 400s and
 * 503s; one derived frame per source frame whatever the clients; a variant gone after its grace; rotations and
 * flips by the test pattern's orientation marker; crop, text; walls in order, with NO SIGNAL and on-demand feeds.
 */
class VariantsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static ServerFixture server;

    @BeforeAll
    static void start() throws Exception {
        List<FeedConfig> feeds = new ArrayList<>();
        feeds.add(feed("plain", 640, 360, 10, DeriveConfig.DEFAULTS, false));
        feeds.add(feed("tight", 320, 180, 5, new DeriveConfig(null, 2), false));
        feeds.add(feed("small", 320, 180, 5, DeriveConfig.DEFAULTS, false));
        Transform t = Transform.quality(80);
        feeds.add(feed("r90", 320, 180, 5, derive(t.withRotation(Transform.Rotation.CW90)), false));
        feeds.add(feed("r180", 320, 180, 5, derive(t.withRotation(Transform.Rotation.CW180)), false));
        feeds.add(feed("fh", 320, 180, 5, derive(t.withFlip(Transform.Flip.HORIZONTAL)), false));
        feeds.add(feed("fv", 320, 180, 5, derive(t.withFlip(Transform.Flip.VERTICAL)), false));
        feeds.add(feed("crop", 320, 180, 5, derive(t.withCrop(new Transform.Crop(160, 120, 16, 8))), false));
        feeds.add(feed("text", 320, 180, 5, derive(t.withOverlay(new Transform.Overlay("%$ %H:%M:%S",
                Transform.Overlay.Position.TOP_RIGHT))), false));
        feeds.add(feed("sleepy", 320, 180, 5, DeriveConfig.DEFAULTS, true));
        // An on-demand relay of nothing: its size is never known, and it is down whenever open.
        feeds.add(new FeedConfig("nosize", new CaptureConfig(new SourceSpec.Url(URI.create("http://127.0.0.1:1/video")),
                null, 5, 80, 4), new CaptureOptions(true, Duration.ofSeconds(1), false), RelayOptions.DEFAULTS,
                DeriveConfig.DEFAULTS));
        server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), feeds);
    }

    private static FeedConfig feed(String name, int width, int height, double fps, DeriveConfig derive, boolean onDemand) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), fps, 80, 4),
                new CaptureOptions(onDemand, Duration.ofSeconds(1), false), RelayOptions.DEFAULTS, derive);
    }

    private static DeriveConfig derive(Transform transform) {
        return new DeriveConfig(transform, DeriveConfig.DEFAULT_MAX_VARIANTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void widthHeightOrBothGiveThatSizeOnEveryPath() throws Exception {
        assertEquals(new VideoSize(320, 180), size(ok("/cam/plain/snapshot?width=320")));
        assertEquals(new VideoSize(160, 90), size(ok("/cam/plain/snapshot?height=90")));
        assertEquals(new VideoSize(200, 100), size(ok("/cam/plain/snapshot?width=200&height=100")));
        assertEquals(new VideoSize(320, 180), size(ok("/snapshot?width=321")), "an odd side is rounded down to even");
        assertEquals(new VideoSize(320, 180), size(ok("/?action=snapshot&width=320")));
        for (String path : List.of("/?action=stream&width=320&fps=5", "/stream.mjpg?width=320", "/cam/plain/stream?height=180")) {
            try (StreamClient client = StreamClient.open(server.port(), path, "1.1")) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(new VideoSize(320, 180), size(client.next().body()), path);
                }
            }
        }
    }

    @Test
    void qualityChangesTheEncoding() throws Exception {
        byte[] low = ok("/cam/plain/snapshot?width=320&quality=10");
        byte[] high = ok("/cam/plain/snapshot?width=320&quality=95");
        assertEquals(new VideoSize(320, 180), size(low));
        assertTrue(low.length * 2 < high.length, "quality 10: " + low.length + " bytes, quality 95: " + high.length);
    }

    @Test
    void aBadSizeOrQualityIs400SayingWhatIsExpected() throws Exception {
        for (String query : List.of("width=0", "width=-5", "width=abc", "width=1000", "height=361", "width=8",
                "quality=0", "quality=101", "quality=high", "width=320&width=160")) {
            for (String path : List.of("/cam/plain/snapshot?", "/stream?")) {
                HttpResponse<String> response = Http.getText(server.url(path + query));
                assertEquals(400, response.statusCode(), path + query + ": " + response.body());
                assertEquals(1, response.body().strip().lines().count(), response.body());
                assertTrue(response.body().contains("(expected: "), response.body());
            }
        }
        assertTrue(Http.getText(server.url("/snapshot?width=1000")).body()
                .contains("width=1000 is larger than the source's 640x360 (expected: width=N, from 16 to 640)"));
    }

    @Test
    void theSourcesOwnSizeAndQualityIsTheFeedItself() throws Exception {
        awaitNoVariants("plain");
        try (StreamClient client = StreamClient.open(server.port(), "/cam/plain/stream?width=640&height=360&quality=80", "1.1")) {
            MultipartStreamReader.Part part = client.next();
            HttpResponse<byte[]> same = Http.get(server.url("/cam/plain/snapshot?seq=" + part.sequence()));
            assertEquals(200, same.statusCode());
            assertArrayEquals(same.body(), part.body(), "the feed's own frame of that sequence");
            assertEquals(0, feed("plain").get("variants").size(), "no variant made");
        }
    }

    @Test
    void aVariantKeepsTheFeedsSecondsForTimeShiftedSnapshots() throws Exception {
        try (StreamClient client = StreamClient.open(server.port(), "/cam/plain/stream?width=320", "1.1")) {
            // 16 frames at 10 fps: the variant has made more than a second and a half of frames, four times its
            // ring-size, all within the two seconds the feed keeps.
            for (int i = 0; i < 16; i++) {
                client.next();
            }
            HttpResponse<byte[]> back = Http.get(server.url("/cam/plain/snapshot?width=320&at=-1"));
            assertEquals(200, back.statusCode(), new String(back.body(), StandardCharsets.UTF_8));
            assertEquals(new VideoSize(320, 180), size(back.body()));
        }
    }

    @Test
    void everyClientOfAVariantSharesOneDerivedFramePerSourceFrame() throws Exception {
        awaitNoVariants("plain");
        List<StreamClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(StreamClient.open(server.port(), "/cam/plain/stream?width=320", "1.1"));
            }
            List<List<MultipartStreamReader.Part>> seen = new ArrayList<>();
            for (StreamClient client : clients) {
                List<MultipartStreamReader.Part> parts = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    parts.add(client.next());
                }
                seen.add(parts);
            }
            JsonNode variants = feed("plain").get("variants");
            assertEquals(1, variants.size(), variants.toString());
            JsonNode variant = variants.get(0);
            assertEquals("320x180q80", variant.get("name").asText());
            assertEquals(3, variant.get("streams").asInt(), variant.toString());
            long in = variant.get("framesIn").asLong();
            long out = variant.get("framesOut").asLong();
            assertTrue(out >= 10 && out <= in, "one derived frame per source frame, not per client: " + variant);
            String metrics = Http.getText(server.url("/metrics")).body();
            assertTrue(metrics.contains("mjpeg_variant_frames_out_total{feed=\"plain\",variant=\"320x180q80\"} "), metrics);
            assertTrue(metrics.contains("mjpeg_derive_latency_seconds_count{feed=\"plain\"} "), metrics);
            assertTrue(metrics.contains("mjpeg_derive_latency_seconds_count{feed=\"r90\"} "), "a transform's latency too");
            // The same sequence is the same bytes for every client: one frame, shared.
            MultipartStreamReader.Part last = seen.get(0).get(9);
            for (List<MultipartStreamReader.Part> parts : seen.subList(1, 3)) {
                for (MultipartStreamReader.Part part : parts) {
                    if (part.sequence() == last.sequence()) {
                        assertArrayEquals(last.body(), part.body());
                    }
                }
            }
        } finally {
            for (StreamClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void pastMaxVariantsA503NamesThoseInUseAndAVariantGoesAfterItsGrace() throws Exception {
        try (StreamClient a = StreamClient.open(server.port(), "/cam/tight/stream?width=160", "1.1");
                StreamClient b = StreamClient.open(server.port(), "/cam/tight/stream?width=96", "1.1")) {
            a.next();
            b.next();
            HttpResponse<String> refused = Http.getText(server.url("/cam/tight/snapshot?width=128"));
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("2", refused.headers().firstValue("Retry-After").orElse(null));
            assertEquals("503 Service Unavailable: feed tight has its 2 variants in use: 160x90 q80, 96x54 q80"
                    + " (expected: one of those, or retry once one is let go)", refused.body().strip());
            assertEquals(200, Http.get(server.url("/cam/tight/snapshot?width=96")).statusCode(), "one in use is served");
        }
        awaitNoVariants("tight");
        // A snapshot holds its variant for the grace too, then it goes.
        assertEquals(new VideoSize(128, 72), size(ok("/cam/tight/snapshot?width=128")));
        assertEquals(1, feed("tight").get("variants").size());
        awaitNoVariants("tight");
    }

    @Test
    void aFeedWhoseSizeIsNotKnownYetAnswers503AndOpens() throws Exception {
        HttpResponse<String> response = Http.getText(server.url("/cam/nosize/snapshot?width=100"));
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("2", response.headers().firstValue("Retry-After").orElse(null));
        assertTrue(response.body().contains("feed nosize's size is not known yet"), response.body());
    }

    @Test
    void rotationsAndFlipsTurnThePattern() throws Exception {
        assertOriented("r90", new VideoSize(180, 320), PatternMarker.Orientation.after(90, false, false));
        assertOriented("r180", new VideoSize(320, 180), PatternMarker.Orientation.after(180, false, false));
        assertOriented("fh", new VideoSize(320, 180), PatternMarker.Orientation.after(0, true, false));
        assertOriented("fv", new VideoSize(320, 180), PatternMarker.Orientation.after(0, false, true));
        assertOriented("small", new VideoSize(320, 180), PatternMarker.Orientation.UPRIGHT);
        JsonNode r90 = feed("r90").get("source");
        assertEquals(180, r90.get("width").asInt(), "/state says the transformed size");
        assertEquals(320, r90.get("height").asInt());
        assertEquals(new VideoSize(90, 160), size(ok("/cam/r90/snapshot?width=90")), "a variant of the turned frames");
    }

    private static void assertOriented(String feed, VideoSize size, PatternMarker.Orientation expected) throws Exception {
        byte[] jpeg = ok("/cam/" + feed + "/snapshot");
        assertEquals(size, size(jpeg), feed);
        assertEquals(expected, PatternMarker.find(image(jpeg)), feed);
    }

    @Test
    void aCropKeepsItsPartAndTextIsDrawn() throws Exception {
        assertEquals(new VideoSize(160, 120), size(ok("/cam/crop/snapshot")));
        // The top-right corner, where the text goes, against the same pattern without it.
        double withText = 0;
        double without = 0;
        for (int i = 0; i < 3; i++) {
            BufferedImage plain = image(ok("/cam/small/snapshot?wait=1"));
            withText += difference(image(ok("/cam/text/snapshot")), plain);
            without += difference(image(ok("/cam/small/snapshot?wait=1")), plain);
        }
        assertTrue(withText > 2 * without + 3, "the text changes its corner: " + withText + " against " + without);
    }

    /** Mean absolute difference of the top-right quarter's luma. */
    private static double difference(BufferedImage a, BufferedImage b) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < a.getHeight() / 4; y++) {
            for (int x = a.getWidth() / 2; x < a.getWidth(); x++) {
                sum += Math.abs(luma(a.getRGB(x, y)) - luma(b.getRGB(x, y)));
                n++;
            }
        }
        return sum / n;
    }

    private static int luma(int rgb) {
        return (((rgb >> 16) & 0xFF) * 3 + ((rgb >> 8) & 0xFF) * 6 + (rgb & 0xFF)) / 10;
    }

    @Test
    void aWallShowsItsFeedsInOrderWithNoSignalForADownOne() throws Exception {
        byte[] jpeg = ok("/wall/snapshot?feeds=small,r180&width=640");
        assertEquals(new VideoSize(640, 180), size(jpeg));
        WallLayout layout = Wall.layout(2, 640, new VideoSize(320, 180));
        BufferedImage wall = image(jpeg);
        assertEquals(PatternMarker.Orientation.UPRIGHT, PatternMarker.find(tile(wall, layout, 0)));
        assertEquals(PatternMarker.Orientation.after(180, false, false), PatternMarker.find(tile(wall, layout, 1)));

        try (StreamClient client = StreamClient.open(server.port(), "/wall?feeds=small,nosize&width=640&fps=5", "1.1")) {
            BufferedImage down = null;
            for (int i = 0; i < 50 && down == null; i++) {
                BufferedImage frame = image(client.next().body());
                if (brightPixels(tile(frame, layout, 1)) > 20) {
                    down = frame;
                }
            }
            assertTrue(down != null, "the down feed's tile shows NO SIGNAL");
            assertEquals(PatternMarker.Orientation.UPRIGHT, PatternMarker.find(tile(down, layout, 0)));
            BufferedImage noSignal = tile(down, layout, 1);
            assertThrows(AssertionError.class, () -> PatternMarker.find(noSignal), "no pattern in the down feed's tile");
            JsonNode walls = state().get("walls");
            assertTrue(walls.toString().contains("{\"name\":\"small,nosize\",\"width\":640,\"height\":180,\"quality\":80,"
                    + "\"clients\":1,\"streams\":1,"), walls.toString());
        }
    }

    @Test
    void aWatchedWallWakesAnOnDemandFeed() throws Exception {
        assertTrue(Http.eventually(WAIT, () -> idle("sleepy")), "idle while nobody watches");
        try (StreamClient client = StreamClient.open(server.port(), "/wall?feeds=small,sleepy&fps=5", "1.1")) {
            client.next();
            assertTrue(Http.eventually(WAIT, () -> !idle("sleepy")), "open while the wall is watched");
        }
        assertTrue(Http.eventually(WAIT, () -> idle("sleepy")), "idle again after the wall's grace and its own");
        assertTrue(Http.eventually(WAIT, () -> state().get("walls").isEmpty()), "the wall is gone");
    }

    @Test
    void aVariantOfAnOnDemandFeedWakesIt() throws Exception {
        assertTrue(Http.eventually(WAIT, () -> idle("sleepy")), "idle while nobody watches");
        assertEquals(new VideoSize(160, 90), size(ok("/cam/sleepy/snapshot?width=160")), "woken for its variant");
        assertTrue(Http.eventually(WAIT, () -> idle("sleepy")), "idle again after the variant's grace and its own");
    }

    @Test
    void pastFourWallsA503NamesThoseInUse() throws Exception {
        assertTrue(Http.eventually(WAIT, () -> state().get("walls").isEmpty()), "no wall left from other tests");
        List<StreamClient> clients = new ArrayList<>();
        try {
            for (int width : new int[] {160, 192, 224, 256}) {
                StreamClient client = StreamClient.open(server.port(), "/wall?feeds=small&fps=5&width=" + width, "1.1");
                clients.add(client);
                client.next();
            }
            HttpResponse<String> refused = Http.getText(server.url("/wall/snapshot?feeds=small&width=288"));
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("2", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(refused.body().startsWith("503 Service Unavailable: the server's 4 walls are in use: small 160w 5.0 fps"
                    + " q80; small 192w"), refused.body());
        } finally {
            for (StreamClient client : clients) {
                client.close();
            }
        }
        assertTrue(Http.eventually(WAIT, () -> state().get("walls").isEmpty()), "the walls go after their grace");
    }

    @Test
    void aWallNamingAFeedThereIsNotIs404AndATwiceOrEmptyOneIs400() throws Exception {
        HttpResponse<String> missing = Http.getText(server.url("/wall?feeds=small,nope"));
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().startsWith("404 Not Found: no such feed: nope (feeds: plain, tight, small,"), missing.body());
        assertEquals(400, Http.getText(server.url("/wall?feeds=small,small")).statusCode());
        assertEquals(400, Http.getText(server.url("/wall?feeds=")).statusCode());
        assertEquals(400, Http.getText(server.url("/wall/snapshot?feeds=small&width=8")).statusCode());
    }

    @Test
    void aVariantStreamsOverHttp2() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Http2FrameClient client = Http2FrameClient.connect(group, server.port(), 1 << 20);
            Http2FrameStream stream = client.open("/cam/plain/stream?width=320", false);
            assertTrue(Http.eventually(WAIT, () -> client.received(stream) > 40_000), "parts arrive");
            assertEquals("200", client.status.get(stream.id()));
            assertEquals(new VideoSize(320, 180), size(firstPart(client.body(stream))));
            client.channel().close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** The JPEG of a multipart body's first part. */
    private static byte[] firstPart(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int header = text.indexOf("Content-Length: ");
        int end = text.indexOf("\r\n", header);
        int length = Integer.parseInt(text.substring(header + 16, end));
        int start = text.indexOf("\r\n\r\n", header) + 4;
        byte[] jpeg = new byte[length];
        System.arraycopy(body, start, jpeg, 0, length);
        return jpeg;
    }

    private static BufferedImage tile(BufferedImage wall, WallLayout layout, int index) {
        WallLayout.Tile tile = layout.tiles().get(index);
        return wall.getSubimage(tile.x(), tile.y(), tile.width(), tile.height());
    }

    private static int brightPixels(BufferedImage image) {
        int bright = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (luma(image.getRGB(x, y)) > 200) {
                    bright++;
                }
            }
        }
        return bright;
    }

    private static byte[] ok(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = Http.get(server.url(path));
        assertEquals(200, response.statusCode(), path + ": " + new String(response.body(), StandardCharsets.UTF_8));
        return response.body();
    }

    private static BufferedImage image(byte[] jpeg) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(jpeg));
    }

    private static VideoSize size(byte[] jpeg) throws IOException {
        BufferedImage image = image(jpeg);
        return new VideoSize(image.getWidth(), image.getHeight());
    }

    private static JsonNode state() {
        try {
            return new ObjectMapper().readTree(Http.getText(server.url("/state")).body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode feed(String name) {
        for (JsonNode feed : state().get("feeds")) {
            if (feed.get("name").asText().equals(name)) {
                return feed;
            }
        }
        throw new AssertionError("no feed " + name + " in /state");
    }

    private static boolean idle(String name) {
        return feed(name).get("source").get("idle").asBoolean();
    }

    /** Until the feed's variants are gone: the grace after their last client, and their memory given back. */
    private static void awaitNoVariants(String name) throws InterruptedException {
        assertTrue(Http.eventually(WAIT, () -> feed(name).get("variants").isEmpty()), "variants of " + name + " gone");
        assertFalse(feed(name).get("variants").size() > 0);
    }
}
