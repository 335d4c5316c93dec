package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our viewer page at {@code /} in a real Chromium, as a person uses it: in a short window, opened with the
 * credentials in the URL, and left open while the server restarts.
 */
class ViewerPageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The page's layout as the browser computed it: the viewport and each element's box. */
    private static final String LAYOUT = """
            (() => {
              const box = e => { const r = e.getBoundingClientRect();
                return { name: e.id || e.textContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right }; };
              return { width: innerWidth, height: innerHeight,
                scrollHeight: document.documentElement.scrollHeight,
                boxes: [document.getElementById('stream'), document.getElementById('figures'),
                        ...document.querySelectorAll('a')].map(box) };
            })()""";
    private static final String STREAM_WIDTH = "document.getElementById('stream').naturalWidth";
    private static final String FIGURES = "document.getElementById('figures').textContent";

    private Path chromium;

    @TempDir
    Path dir;

    @BeforeEach
    void requireChromium() {
        chromium = Programs.require("chromium", "chromium");
    }

    private static CaptureConfig pattern(int width, int height) {
        return new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), 15, 80, 4);
    }

    private static ServerConfig local(int port) {
        return ServerConfig.builder().host("127.0.0.1").port(port).build();
    }

    @Test
    void aShortWindowShowsThePictureFiguresAndLinks() throws Exception {
        try (ServerFixture server = ServerFixture.start(local(0), pattern(640, 360));
                DevToolsChromium page = DevToolsChromium.open(chromium, dir, server.url("/"), 800, 400)) {
            assertTrue(page.until(WAIT, STREAM_WIDTH + " === 640 && !" + FIGURES + ".startsWith('live')"),
                    () -> "the stream or the figures did not load: " + evaluate(page, FIGURES));

            JsonNode layout = page.evaluate(LAYOUT);
            int width = layout.get("width").asInt();
            int height = layout.get("height").asInt();
            assertTrue(height <= 400, "a short window: " + layout);
            assertTrue(layout.get("scrollHeight").asInt() <= height, "the page scrolls: " + layout);
            for (JsonNode box : layout.get("boxes")) {
                assertTrue(box.get("top").asDouble() >= 0 && box.get("bottom").asDouble() <= height
                        && box.get("left").asDouble() >= 0 && box.get("right").asDouble() <= width,
                        () -> box.get("name") + " is not inside the " + width + "x" + height + " window: " + layout);
            }

            // The picture itself, scaled to fit whole, bars in their colours, and still a good part of the window.
            BufferedImage shot = page.screenshot();
            Rectangle drawn = TestPatternPixels.locate(shot, 640, 360);
            TestPatternPixels.assertBars(shot, drawn);
            assertTrue(drawn.y >= 0 && drawn.y + drawn.height <= height && drawn.width < 640 && drawn.height >= height / 2,
                    () -> "the stream drawn at " + drawn + " in a " + width + "x" + height + " window");
            System.out.printf("800x400 window: stream drawn at %s, layout %s%n", drawn, layout);
        }
    }

    @Test
    void figuresLoadWhenThePageWasOpenedWithCredentialsInTheUrl() throws Exception {
        ServerConfig config = local(0).toBuilder().credentials(Credentials.parse("viewer:s3cret")).build();
        try (ServerFixture server = ServerFixture.start(config, pattern(640, 360));
                DevToolsChromium page = DevToolsChromium.open(chromium, dir,
                        "http://viewer:s3cret@127.0.0.1:" + server.port() + "/", 800, 600)) {
            assertTrue(page.until(WAIT, STREAM_WIDTH + " === 640"), "the stream did not load");
            assertTrue(page.until(WAIT, FIGURES + ".includes('640x360')"),
                    () -> "the figures from /state did not load: " + evaluate(page, FIGURES));
            assertEquals(200, Http.get(server.url("/healthz")).statusCode());
        }
    }

    @Test
    void theStreamComesBackAfterTheServerRestarts() throws Exception {
        ServerFixture first = ServerFixture.start(local(0), pattern(640, 360));
        int port = first.port();
        try (DevToolsChromium page = DevToolsChromium.open(chromium, dir, first.url("/"), 800, 600)) {
            try {
                assertTrue(page.until(WAIT, STREAM_WIDTH + " === 640"), "the stream did not load");
                assertTrue(Http.eventually(WAIT, () -> !first.server().streamClients().isEmpty()));
            } finally {
                first.close();
            }
            // The same port, another picture size: what the page shows next can only come from the new server.
            try (ServerFixture second = ServerFixture.start(local(port), pattern(480, 270))) {
                assertTrue(Http.eventually(WAIT, () -> !second.server().streamClients().isEmpty()),
                        () -> "the page did not open the stream again: " + evaluate(page, FIGURES));
                assertTrue(page.until(WAIT, STREAM_WIDTH + " === 480"), () -> "the new stream was not drawn: "
                        + evaluate(page, STREAM_WIDTH));

                long[] frames = {frameShown(page), 0};
                assertTrue(Http.eventually(WAIT, () -> (frames[1] = frameShown(page)) > frames[0]),
                        () -> "the picture stays at frame " + frames[0] + " (then " + frames[1] + ")");
                System.out.printf("after the restart the page showed frame %d, then %d%n", frames[0], frames[1]);
            }
        }
    }

    /** The frame number of the new server's 480x270 pattern as the window shows it now. */
    private static long frameShown(DevToolsChromium page) {
        try {
            BufferedImage shot = page.screenshot();
            Rectangle drawn = TestPatternPixels.locate(shot, 480, 270);
            assertEquals(480, drawn.width, () -> "the new stream drawn at " + drawn);
            return TestPatternPixels.frameNumber(shot, drawn);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String evaluate(DevToolsChromium page, String expression) {
        try {
            return page.evaluate(expression).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
