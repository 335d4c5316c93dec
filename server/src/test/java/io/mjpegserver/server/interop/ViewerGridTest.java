package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With several feeds the viewer page is a grid in a real Chromium: a tile a feed, each streaming at its size. */
class ViewerGridTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Each tile: its feed, its picture's natural width, its figures, its links. */
    private static final String TILES = """
            [...document.querySelectorAll('.tile')].map(t => ({ feed: t.dataset.feed,
              width: t.querySelector('img').naturalWidth, figures: t.querySelector('.figures').textContent,
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
            javax.imageio.ImageIO.write(page.screenshot(), "png", Path.of("target", "viewer-grid.png").toFile());
            // Every tile is a live stream: the server counts one client per feed.
            assertTrue(io.mjpegserver.server.testing.Http.eventually(WAIT, () -> server.server().feeds().all().stream()
                    .allMatch(f -> f.broadcaster().sessions().size() == 1)), "one stream client per feed");
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
