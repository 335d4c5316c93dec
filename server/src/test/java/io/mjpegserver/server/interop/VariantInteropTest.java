package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.testing.PatternMarker;
import io.mjpegserver.testing.PatternMarker.Orientation;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Variants (width only, height only, quality), a feed turned 90 degrees and a wall, each read by real clients
 * at once from one server: ffmpeg decodes their frames at the right size and orientation without an error,
 * Chromium shows them at their size and moving, Firefox draws them at their size with the pattern upright or
 * turned as asked.
 */
class VariantInteropTest {

    private static final Duration LIMIT = Duration.ofSeconds(40);
    /** Firefox builds its profile on its first start: most of its run, and slow on a loaded machine. */
    private static final Duration FIREFOX_LIMIT = Duration.ofSeconds(120);
    private static final int FRAMES = 10;
    private static final WallLayout WALL = Wall.layout(2, 640, new VideoSize(640, 360));

    /** One URL a client reads: what it should decode to. */
    private record Case(String name, String path, int width, int height, Orientation orientation) {
        boolean upright() {
            return orientation.equals(Orientation.UPRIGHT);
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("width", "/cam/plain/stream?width=320", 320, 180, Orientation.UPRIGHT),
            new Case("height", "/cam/plain/stream?height=240", 426, 240, Orientation.UPRIGHT),
            new Case("quality", "/cam/plain/stream?quality=30", 640, 360, Orientation.UPRIGHT),
            new Case("rotated", "/cam/turned/stream", 180, 320, Orientation.after(90, false, false)),
            new Case("wall", "/wall?feeds=plain,turned&width=640", WALL.size().width(), WALL.size().height(),
                    Orientation.UPRIGHT));

    private static ServerFixture server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        DeriveConfig turned = new DeriveConfig(Transform.quality(80).withRotation(Transform.Rotation.CW90),
                DeriveConfig.DEFAULT_MAX_VARIANTS);
        server = ServerFixture.start(ServerConfig.builder().host("127.0.0.1").port(0).build(), List.of(
                feed("plain", 640, 360, DeriveConfig.DEFAULTS), feed("turned", 320, 180, turned)));
    }

    private static FeedConfig feed(String name, int width, int height, DeriveConfig derive) {
        return new FeedConfig(name, new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), 10, 80, 4),
                CaptureOptions.DEFAULTS, RelayOptions.DEFAULTS, derive);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** All five at once, each {@link #FRAMES} frames with {@code -xerror} into PNGs: sizes, orientation, motion. */
    @Test
    void ffmpegDecodesEveryVariantTheTurnedFeedAndTheWall() throws Exception {
        Path ffmpeg = Programs.require("ffmpeg", "ffmpeg");
        ExecutorService pool = Executors.newFixedThreadPool(CASES.size());
        try {
            List<Future<ChildProcess.Outcome>> runs = new ArrayList<>();
            for (Case c : CASES) {
                runs.add(pool.submit(() -> ChildProcess.run(dir, "ffmpeg-" + c.name(), LIMIT, List.of(ffmpeg.toString(),
                        "-nostdin", "-hide_banner", "-v", "error", "-xerror", "-i", server.url(c.path()),
                        "-frames:v", String.valueOf(FRAMES), dir.resolve(c.name() + "-%02d.png").toString()))));
            }
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                ChildProcess.Outcome run = runs.get(i).get(LIMIT.toSeconds() + 10, TimeUnit.SECONDS).assertExit(0);
                assertTrue(run.err().isBlank(), () -> "ffmpeg reported errors on " + c.path() + "\n" + run.describe());
                List<BufferedImage> frames = new ArrayList<>();
                for (int f = 1; f <= FRAMES; f++) {
                    File png = dir.resolve(String.format("%s-%02d.png", c.name(), f)).toFile();
                    BufferedImage frame = ImageIO.read(png);
                    assertNotNull(frame, () -> "ffmpeg wrote no frame " + png + " from " + c.path());
                    assertEquals(c.width() + "x" + c.height(), frame.getWidth() + "x" + frame.getHeight(), c.path());
                    frames.add(frame);
                }
                BufferedImage first = frames.get(0);
                BufferedImage last = frames.get(FRAMES - 1);
                BufferedImage picture = c.name().equals("wall") ? tile(last, 0) : last;
                assertEquals(c.orientation(), PatternMarker.find(picture), () -> "the marker of " + c.path());
                if (c.upright()) {
                    TestPatternPixels.assertBars(picture);
                }
                Rectangle whole = new Rectangle(0, 0, first.getWidth(), first.getHeight());
                assertTrue(TestPatternPixels.differingPixels(first, last, whole) > 0,
                        () -> "the frames of " + c.path() + " do not change");
                System.out.printf("ffmpeg %s: %d frames of %dx%d, marker %s%n", c.path(), frames.size(),
                        last.getWidth(), last.getHeight(), PatternMarker.find(picture));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One page with all five: each decoded at its size, each drawn anew (a canvas of it changes). */
    @Test
    void chromiumShowsEachAtItsSizeAndMoving() throws Exception {
        Path chromium = Programs.require("chromium", "chromium");
        try (DevToolsChromium page = DevToolsChromium.open(chromium, dir, server.url("/healthz"), 1400, 900)) {
            assertTrue(page.until(LIMIT, "location.pathname === '/healthz' && document.readyState === 'complete'"),
                    "the page did not load");
            StringBuilder images = new StringBuilder();
            for (Case c : CASES) {
                images.append("<img id=\"").append(c.name()).append("\" src=\"").append(c.path()).append("\">");
            }
            page.evaluate("document.body.innerHTML = '" + images + "'; true");
            StringBuilder sized = new StringBuilder("true");
            for (Case c : CASES) {
                sized.append(" && ").append(size(c.name())).append(" === '").append(c.width()).append('x')
                        .append(c.height()).append('\'');
            }
            assertTrue(page.until(LIMIT, sized.toString()), () -> "the sizes Chromium decoded: " + sizes(page));
            List<Long> before = new ArrayList<>();
            for (Case c : CASES) {
                before.add(page.evaluate(DevToolsChromium.pixelHash(c.name())).asLong());
            }
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                assertTrue(page.until(LIMIT, DevToolsChromium.pixelHash(c.name()) + " !== " + before.get(i)),
                        () -> "Chromium's picture of " + c.path() + " does not change");
            }
            System.out.println("Chromium decoded and drew anew: " + sizes(page));
        }
    }

    /**
     * Firefox ESR, headless, screenshots a page with all five at known places: each drawn at its size (the
     * page's background right past its edge), upright with its bars, or turned as the feed is.
     */
    @Test
    void firefoxDrawsEachAtItsSizeAndOrientation() throws Exception {
        Path firefox = Programs.require("firefox-esr", "firefox-esr");
        List<Rectangle> places = List.of(new Rectangle(0, 0, 320, 180), new Rectangle(340, 0, 426, 240),
                new Rectangle(0, 360, 640, 360), new Rectangle(790, 0, 180, 320), new Rectangle(660, 360, 640, 180));
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body style=\"margin:0;background:#111\">");
        for (int i = 0; i < CASES.size(); i++) {
            Rectangle at = places.get(i);
            html.append("<img style=\"position:absolute;left:").append(at.x).append("px;top:").append(at.y)
                    .append("px\" src=\"").append(server.url(CASES.get(i).path())).append("\">");
        }
        Path page = dir.resolve("page.html");
        Files.writeString(page, html.append("</body></html>"), UTF_8);
        Path profile = Files.createDirectory(dir.resolve("firefox-profile"));
        Path png = dir.resolve("firefox.png");
        ChildProcess.run(dir, "firefox", FIREFOX_LIMIT, List.of(firefox.toString(), "--headless", "--no-remote",
                "--profile", profile.toString(), "--window-size=1320,740", "--screenshot", png.toString(),
                page.toUri().toString())).assertExit(0);
        BufferedImage shot = ImageIO.read(png.toFile());
        assertNotNull(shot, "Firefox wrote no readable screenshot at " + png);

        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            Rectangle at = places.get(i);
            assertEquals(c.width() + "x" + c.height(), at.width + "x" + at.height, "the page's layout");
            BufferedImage drawn = shot.getSubimage(at.x, at.y, at.width, at.height);
            BufferedImage picture = c.name().equals("wall") ? tile(drawn, 0) : drawn;
            assertEquals(c.orientation(), PatternMarker.find(picture), () -> "Firefox's picture of " + c.path());
            if (c.upright()) {
                // The pattern's own edges, found in the screenshot, are where the asked size puts them.
                Rectangle found = TestPatternPixels.locate(shot.getSubimage(at.x, at.y, at.width + 10, at.height + 10),
                        picture.getWidth(), picture.getHeight());
                assertEquals(picture.getWidth(), found.width, () -> c.path() + " drawn at " + found);
                TestPatternPixels.assertBars(picture);
            }
            assertTrue(isBackground(shot.getRGB(at.x + at.width + 3, at.y + at.height / 2))
                    && isBackground(shot.getRGB(at.x + at.width / 2, at.y + at.height + 3)),
                    () -> c.path() + " is drawn larger than " + at);
            assertTrue(!isBackground(shot.getRGB(at.x + at.width - 3, at.y + at.height - 3)),
                    () -> c.path() + " is drawn smaller than " + at);
            System.out.printf("Firefox %s: drawn %dx%d, marker %s%n", c.path(), at.width, at.height,
                    PatternMarker.find(picture));
        }
    }

    private static BufferedImage tile(BufferedImage wall, int index) {
        WallLayout.Tile t = WALL.tiles().get(index);
        return wall.getSubimage(t.x(), t.y(), t.width(), t.height());
    }

    /** The page around the pictures: #111. */
    private static boolean isBackground(int rgb) {
        return Math.abs(TestPatternPixels.luma(rgb) - 17) <= 3;
    }

    private static String size(String id) {
        return "(document.getElementById('" + id + "').naturalWidth + 'x' + document.getElementById('" + id
                + "').naturalHeight)";
    }

    private static String sizes(DevToolsChromium page) {
        try {
            JsonNode all = page.evaluate("[...document.images].map(i => i.id + ' ' + i.naturalWidth + 'x'"
                    + " + i.naturalHeight).join(', ')");
            return all.asText();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
