package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Wall;
import io.mjpegserver.capture.derive.WallLayout;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.PatternMarker;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With several feeds the viewer page is a grid in a real Chromium: a tile a feed, each streaming at its size, or a
 * small variant of it when there are many, with a size choice per tile and a link to the wall.
 */
class ViewerGridTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Each tile: its feed, its picture's natural width, its figures, its links. */
    private static final String TILES = """
            [...document.querySelectorAll('.tile')].map(t => ({ feed: t.dataset.feed,
              width: t.querySelector('img').naturalWidth, src: t.querySelector('img').getAttribute('src'),
              sizes: [...t.querySelector('select').options].map(o => o.text),
              figures: t.querySelector('.figures').textContent,
              links: [...t.querySelectorAll('a')].map(a => a.getAttribute('href')) }))""";

    @TempDir
    Path dir;

    private static FeedConfig feed(String name, int width, int height) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), 10, 70, 4),
                CaptureOptions.DEFAULTS);
    }

    @Test
    void everyFeedIsATileThatStreams() throws Exception {
        Path chromium = Programs.require("chromium", "chromium");
        List<FeedConfig> feeds = List.of(feed("front", 640, 360), feed("garage", 320, 240), feed("desk", 480, 270),
                feed("lobby", 384, 216));
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), feeds);
                DevToolsChromium page = DevToolsChromium.open(chromium, dir, server.url("/"), 1280, 800)) {
            String loaded = "(" + TILES + ").length === 4 && (" + TILES + ").every(t => t.width > 0"
                    + " && t.figures.includes(' fps'))";
            assertTrue(page.until(WAIT, loaded), () -> "the tiles did not all load: " + tiles(page));
            JsonNode tiles = page.evaluate(TILES);
            for (int i = 0; i < feeds.size(); i++) {
                JsonNode tile = tiles.get(i);
                FeedConfig feed = feeds.get(i);
                assertEquals(feed.name(), tile.get("feed").asText());
                assertEquals(feed.capture().size().width(), tile.get("width").asInt(), tile.toString());
                assertTrue(tile.get("figures").asText().contains(feed.capture().size().toString()), tile.toString());
                assertTrue(tile.get("links").toString().contains("cam/" + feed.name() + "/snapshot"), tile.toString());
            }
            // For a person to look at: target/viewer-grid.png.
            ImageIO.write(page.screenshot(), "png", Path.of("target", "viewer-grid.png").toFile());
            // Every tile is a live stream: the server counts one client per feed.
            assertTrue(Http.eventually(WAIT, () -> server.server().feeds().all().stream()
                    .allMatch(f -> f.broadcaster().sessions().size() == 1)), "one stream client per feed");
        }
    }

    /**
     * Past four feeds each tile asks for a 320-wide variant (one small encode per feed on the server); a tile's
     * size choice swaps its stream for another size, drawn moving; the wall link opens the wall of every feed.
     */
    @Test
    void manyFeedsStreamSmallVariantsAndEachTileOffersItsSizes() throws Exception {
        Path chromium = Programs.require("chromium", "chromium");
        List<FeedConfig> feeds = List.of(feed("yard", 800, 450), feed("garage", 320, 240), feed("desk", 480, 270),
                feed("lobby", 384, 216), feed("porch", 640, 360));
        try (ServerFixture server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), feeds);
                DevToolsChromium page = DevToolsChromium.open(chromium, dir, server.url("/"), 1280, 800)) {
            String loaded = "(" + TILES + ").length === 5 && (" + TILES + ").every(t => t.width === 320)";
            assertTrue(page.until(WAIT, loaded), () -> "the tiles did not all load at 320 wide: " + tiles(page));
            JsonNode tiles = page.evaluate(TILES);
            for (int i = 0; i < feeds.size(); i++) {
                JsonNode tile = tiles.get(i);
                int own = feeds.get(i).capture().size().width();
                // A feed of 320 wide or less is shown as it is: it offers no smaller size.
                assertEquals(own > 320, tile.get("src").asText().contains("width=320&"), tile.toString());
                List<String> sizes = new ArrayList<>(List.of("original"));
                if (own > 640) {
                    sizes.add("640 wide");
                }
                if (own > 320) {
                    sizes.add("320 wide");
                }
                assertEquals(sizes.toString(), tile.get("sizes").toString().replace("\"", "").replace(",", ", "),
                        tile.toString());
            }
            // The server made one 320-wide variant for each wider feed, streaming to its one tile.
            assertTrue(Http.eventually(WAIT, () -> variantStreams(server).equals(
                    List.of("yard 320x180 1", "desk 320x180 1", "lobby 320x180 1", "porch 320x180 1"))),
                    () -> "the variants in /state: " + variantStreams(server));

            // Each tile counts its one viewer, who watches the variant rather than the feed itself.
            assertTrue(page.until(WAIT, "(" + TILES + ").every(t => t.figures.includes(' 1 client(s)'))"),
                    () -> "a tile's figures do not count its viewer: " + tiles(page));

            page.evaluate("(() => { const t = document.querySelector('[data-feed=yard]'); t.querySelector('img').id = 'yard';"
                    + " const s = t.querySelector('select'); s.value = '640'; s.dispatchEvent(new Event('change'));"
                    + " return true; })()");
            String yard = "document.getElementById('yard')";
            assertTrue(page.until(WAIT, yard + ".src.includes('width=640&') && " + yard + ".naturalWidth === 640 && "
                    + yard + ".naturalHeight === 360"), () -> "the size choice did not take: " + tiles(page));
            long shown = page.evaluate(DevToolsChromium.pixelHash("yard")).asLong();
            assertTrue(page.until(WAIT, DevToolsChromium.pixelHash("yard") + " !== " + shown),
                    "the 640-wide picture does not move");

            String wall = page.evaluate("document.querySelector('#links a[href=\"wall\"]').href").asText();
            assertEquals(server.url("/wall"), wall);
            try (StreamClient client = StreamClient.open(
                    server.port(), "/wall", "1.1")) {
                BufferedImage picture = ImageIO.read(
                        new ByteArrayInputStream(client.next().body()));
                WallLayout layout = Wall.layout(5,
                        picture.getWidth(), feeds.get(0).capture().size());
                assertEquals(layout.size().height(), picture.getHeight(), "the wall of five feeds");
                WallLayout.Tile first = layout.tiles().get(0);
                assertEquals(PatternMarker.Orientation.UPRIGHT, PatternMarker
                        .find(picture.getSubimage(first.x(), first.y(), first.width(), first.height())));
                System.out.printf("grid of 5: tiles at 320 wide, yard switched to %s, wall %dx%d%n",
                        page.evaluate(yard + ".naturalWidth + 'x' + "
                                + yard + ".naturalHeight").asText(), picture.getWidth(), picture.getHeight());
            }
        }
    }

    /** Each feed's variants in /state: "feed WxH streams". */
    private static List<String> variantStreams(ServerFixture server) {
        try {
            JsonNode state = new ObjectMapper().readTree(
                    Http.getText(server.url("/state")).body());
            List<String> found = new ArrayList<>();
            for (JsonNode f : state.get("feeds")) {
                for (JsonNode v : f.path("variants")) {
                    found.add(f.get("name").asText() + " " + v.get("width").asInt() + "x" + v.get("height").asInt() + " "
                            + v.get("streams").asInt());
                }
            }
            return found;
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    private static String tiles(DevToolsChromium page) {
        try {
            return page.evaluate(TILES).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
