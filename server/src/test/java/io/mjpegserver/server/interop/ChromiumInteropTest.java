package io.mjpegserver.server.interop;

import io.mjpegserver.server.testing.TestPatternServer;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ChildProcess;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's Chromium, headless, shows our stream: an {@code <img>} pointed at it loads (which needs the multipart
 * parse and a JPEG decode), and screenshots of our own viewer page show the test pattern's colours and a frame
 * number that moves on.
 */
class ChromiumInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final Duration LIMIT = Duration.ofSeconds(40);
    private static final Pattern TITLE = Pattern.compile("<title>([^<]*)</title>");

    @RegisterExtension
    static final TestPatternServer fixture = new TestPatternServer(WIDTH, HEIGHT, 15);
    private Path chromium;

    @TempDir
    Path dir;

    private int runs;

    /** Per test, not per class: a skip from @BeforeAll would not show in Maven's report. */
    @BeforeEach
    void requireChromium() {
        chromium = Programs.require("chromium", "chromium");
    }

    /** {@code onload} fires once the first part is complete and decoded; the title then carries its width. */
    @ParameterizedTest
    @ValueSource(strings = {"/stream", "/stream.mjpg", "/?action=stream"})
    void imgElementLoadsTheStream(String path) throws Exception {
        Path page = dir.resolve("page.html");
        Files.writeString(page, "<!DOCTYPE html><html><head><title>waiting</title></head><body>"
                + "<img src=\"" + fixture.url(path) + "\" onload=\"document.title='W'+this.naturalWidth\""
                + " onerror=\"document.title='ERR'\"></body></html>", UTF_8);

        ChildProcess.Outcome run = chromium(List.of("--virtual-time-budget=4000", "--timeout=8000", "--dump-dom",
                page.toUri().toString())).assertExit(0);

        Matcher title = TITLE.matcher(run.out());
        assertTrue(title.find(), () -> "no <title> in Chromium's DOM dump:\n" + run.out() + "\n" + run.describe());
        assertEquals("W" + WIDTH, title.group(1), () -> "the <img> did not load the stream\n" + run.describe());
    }

    /** Our viewer page at {@code /}, drawn by Chromium: the bars in their colours, and live. */
    @Test
    void viewerPageShowsTheLivePattern() throws Exception {
        BufferedImage first = screenshot("first.png");
        Rectangle drawn = TestPatternPixels.locate(first, WIDTH, HEIGHT);
        // 800 px of window leave room for the 640 px stream: the viewer shows it at its natural size.
        assertEquals(WIDTH, drawn.width, () -> "stream drawn at " + drawn);
        TestPatternPixels.assertBars(first, drawn);
        long firstFrame = TestPatternPixels.frameNumber(first, drawn);

        // A second Chromium run starts about a second after the first.
        BufferedImage second = screenshot("second.png");
        Rectangle drawnAgain = TestPatternPixels.locate(second, WIDTH, HEIGHT);
        assertEquals(drawn, drawnAgain, "the stream moved on the page");
        TestPatternPixels.assertBars(second, drawnAgain);
        long secondFrame = TestPatternPixels.frameNumber(second, drawnAgain);

        assertTrue(firstFrame > 0 && secondFrame > firstFrame,
                () -> "frame numbers read from the screenshots: " + firstFrame + ", then " + secondFrame);
        assertTrue(TestPatternPixels.differingPixels(first, second, drawn) > 0, "the two screenshots show the same picture");
    }

    private BufferedImage screenshot(String name) throws Exception {
        Path png = dir.resolve(name);
        chromium(List.of("--window-size=800,600", "--force-device-scale-factor=1", "--hide-scrollbars",
                "--timeout=4000", "--screenshot=" + png, fixture.url("/"))).assertExit(0);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, "Chromium wrote no readable screenshot at " + png);
        return image;
    }

    /** Runs Chromium headless with a fresh profile, kept off the network, with {@code args} after its flags. */
    private ChildProcess.Outcome chromium(List<String> args) throws Exception {
        int run = ++runs;
        Path profile = Files.createDirectory(dir.resolve("profile" + run));
        List<String> command = DevToolsChromium.command(chromium, profile);
        command.addAll(args);
        return ChildProcess.run(dir, "chromium" + run, LIMIT, command);
    }
}
