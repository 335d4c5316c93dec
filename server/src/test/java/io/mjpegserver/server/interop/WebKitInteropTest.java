package io.mjpegserver.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.testing.Certificates;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebKitGTK, Safari's engine (see {@link WebKit}), plays our streams for a minute, all pages at once: the viewer
 * page and a bare {@code <img src=/stream>}, each over HTTP/1.1 and over HTTP/2 with TLS, and the viewer page of 16
 * feeds over HTTP/2 (sixteen streams on one connection). Every few seconds a screenshot shows the picture moving
 * on (a later frame number; on the wall, every tile's pixels changed) and the page has not crashed.
 */
class WebKitInteropTest {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int FPS = 10;
    private static final int WALL_FEEDS = 16;
    private static final int WALL_FPS = 5;
    private static final Duration WATCH = Duration.ofSeconds(60);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    private static final Duration LOAD = Duration.ofSeconds(60);
    private static final Duration REDRAW = Duration.ofSeconds(10);
    /** A bare image on a page of ours (the server's own {@code /healthz} origin), on the viewer page's colours. */
    private static final String BARE_IMG = "document.body.style.cssText = 'margin: 0; background: #111';"
            + " document.body.innerHTML = '<img id=\"stream\" src=\"/stream\">'; return true;";
    private static final String STREAM_WIDTH = "document.getElementById('stream').naturalWidth";
    private static final String TILE_BOXES = "return [...document.querySelectorAll('.tile img')].map(i => {"
            + " const r = i.getBoundingClientRect(); return [i.naturalWidth, Math.round(r.left), Math.round(r.top),"
            + " Math.round(r.width), Math.round(r.height)]; });";

    @TempDir
    Path dir;

    private static CaptureConfig pattern(int width, int height, double fps) {
        return new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(width, height), fps, 70, 4);
    }

    @Test
    void viewerPageAndBareImgPlayForAMinuteOverHttp11AndHttp2AndAWallOf16OverHttp2() throws Exception {
        Certificates.openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out",
                "cert.pem", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1");
        ServerConfig plain = ServerConfig.builder().host("127.0.0.1").port(0).build();
        ServerConfig tls = plain.toBuilder().tls(new TlsFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"))).build();
        List<FeedConfig> wallFeeds = IntStream.range(0, WALL_FEEDS).mapToObj(i -> new FeedConfig("cam" + i,
                pattern(320, 180, WALL_FPS), CaptureOptions.DEFAULTS)).toList();
        List<AutoCloseable> open = new ArrayList<>();
        ExecutorService pages = Executors.newFixedThreadPool(5);
        try (WebKit webkit = WebKit.start(dir)) {
            List<Callable<String>> watches = new ArrayList<>();
            for (boolean http2 : new boolean[] {false, true}) {
                for (boolean bare : new boolean[] {false, true}) {
                    ServerFixture server = ServerFixture.start(http2 ? tls : plain, pattern(WIDTH, HEIGHT, FPS));
                    open.add(server);
                    String what = (bare ? "<img src=/stream>" : "viewer page") + " over " + (http2 ? "HTTP/2" : "HTTP/1.1");
                    String url = (http2 ? "https" : "http") + "://127.0.0.1:" + server.port() + (bare ? "/healthz" : "/");
                    watches.add(() -> watchOne(webkit, server, what, url, bare, http2 ? "HTTP/2" : "HTTP/1.1"));
                }
            }
            ServerFixture wall = ServerFixture.start(tls, wallFeeds);
            open.add(wall);
            watches.add(() -> watchWall(webkit, wall));

            List<Future<String>> results = new ArrayList<>();
            for (Callable<String> watch : watches) {
                results.add(pages.submit(watch));
            }
            List<String> failures = new ArrayList<>();
            for (Future<String> result : results) {
                try {
                    System.out.println("WebKit " + result.get(WATCH.plus(LOAD).plusSeconds(60).toSeconds(), TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(String.valueOf(e.getCause()));
                    e.getCause().printStackTrace();
                }
            }
            assertEquals(List.of(), failures, "what WebKit failed to play");
        } finally {
            pages.shutdownNow();
            pages.awaitTermination(30, TimeUnit.SECONDS);
            for (AutoCloseable server : open) {
                server.close();
            }
        }
    }

    /** One picture of our test pattern, at its natural size: every sample a later frame, for the whole watch. */
    private static String watchOne(WebKit webkit, ServerFixture server, String what, String url, boolean bare,
            String protocol) throws Exception {
        WebKit.Page page = webkit.open(url, 800, 600);
        // Our page, not the blank one MiniBrowser starts on.
        String loaded = "location.pathname === '" + (bare ? "/healthz" : "/") + "' && document.readyState !== 'loading'";
        assertTrue(page.until(LOAD, loaded), what + ": the page did not load");
        if (bare) {
            page.evaluate(BARE_IMG);
        }
        assertTrue(page.until(LOAD, STREAM_WIDTH + " === " + WIDTH), what + ": the stream was not drawn");
        List<Long> frames = new ArrayList<>();
        long end = System.nanoTime() + WATCH.toNanos();
        while (true) {
            long[] shown = {-1};
            // The viewer page opens its stream again when /state was slow to answer (a loaded machine): the
            // picture is blank until the new stream's first frame, which must come within a few seconds.
            if (!Http.eventually(REDRAW, () -> (shown[0] = frameShown(page)) >= 0)) {
                ImageIO.write(page.screenshot(), "png", Path.of("target", "webkit-" + protocol.replace('/', '_')
                        + (bare ? "-img" : "-viewer") + ".png").toFile());
                throw new AssertionError(what + ": no picture for " + REDRAW + "; frames before: " + frames);
            }
            long frame = shown[0];
            assertTrue(frames.isEmpty() || frame > frames.get(frames.size() - 1),
                    () -> what + ": the picture did not move on: frames " + frames + ", then " + frame);
            frames.add(frame);
            if (System.nanoTime() - end >= 0) {
                break;
            }
            // Watching for a while is the point: each sample is a look at what the page shows then.
            Thread.sleep(SAMPLE_EVERY.toMillis());
        }
        List<SessionStats> clients = server.server().streamClients();
        assertTrue(!clients.isEmpty() && clients.stream().allMatch(s -> s.protocol().equals(protocol)),
                () -> what + ": stream clients " + clients);
        assertTrue(frames.size() >= 4, () -> what + ": too few samples over the minute: " + frames);
        page.close();
        return what + ": frames " + frames + " on screen over " + WATCH.toSeconds() + " s (" + clients.get(0).protocol()
                + ")";
    }

    /** The 16 tiles: all drawn, each one's pixels changing between samples, all 16 streams on one HTTP/2 connection. */
    private static String watchWall(WebKit webkit, ServerFixture wall) throws Exception {
        WebKit.Page page = webkit.open("https://127.0.0.1:" + wall.port() + "/", 1400, 1100);
        String tilesDrawn = "document.querySelectorAll('.tile img').length === " + WALL_FEEDS
                + " && [...document.querySelectorAll('.tile img')].every(i => i.naturalWidth === 320)";
        assertTrue(page.until(LOAD, tilesDrawn), "the wall's 16 tiles were not all drawn");
        BufferedImage previous = null;
        int samples = 0;
        int leastChanged = Integer.MAX_VALUE;
        long end = System.nanoTime() + WATCH.toNanos();
        while (true) {
            JsonNode boxes = page.evaluate(TILE_BOXES);
            BufferedImage shot = page.screenshot();
            assertTrue(page.until(Duration.ZERO, tilesDrawn), "a tile lost its picture");
            if (previous != null) {
                int changed = 0;
                for (JsonNode box : boxes) {
                    Rectangle r = new Rectangle(box.get(1).asInt(), box.get(2).asInt(), box.get(3).asInt(),
                            box.get(4).asInt()).intersection(new Rectangle(0, 0, shot.getWidth(), shot.getHeight()));
                    if (!r.isEmpty() && differs(previous, shot, r)) {
                        changed++;
                    }
                }
                int visible = (int) IntStream.range(0, boxes.size()).filter(i -> {
                    JsonNode b = boxes.get(i);
                    return b.get(2).asInt() + b.get(4).asInt() <= shot.getHeight();
                }).count();
                int finalChanged = changed;
                assertTrue(changed >= visible, () -> "the wall: " + finalChanged + " of " + visible
                        + " wholly visible tiles changed between samples: " + boxes);
                leastChanged = Math.min(leastChanged, changed);
            }
            previous = shot;
            samples++;
            if (System.nanoTime() - end >= 0) {
                break;
            }
            Thread.sleep(SAMPLE_EVERY.toMillis());
        }
        // One stream a tile (WebKit also keeps the single-feed stream the page opened before it became a grid).
        List<SessionStats> clients = wall.server().streamClients();
        for (int i = 0; i < WALL_FEEDS; i++) {
            String path = "/cam/cam" + i + "/stream";
            assertEquals(1, clients.stream().filter(s -> s.path().startsWith(path)).count(),
                    () -> "the wall's streams: " + clients);
        }
        assertTrue(clients.stream().allMatch(s -> s.protocol().equals("HTTP/2")), clients::toString);
        assertEquals(1, clients.stream().map(SessionStats::remote).distinct().count(), () -> "not one connection: " + clients);
        long least = clients.stream().filter(s -> s.path().startsWith("/cam/")).mapToLong(SessionStats::framesSent)
                .min().orElse(0);
        // At least a frame a second each (of 5: a loaded machine's test pattern makes fewer), for the whole minute.
        assertTrue(least >= WATCH.toSeconds(), () -> "the wall: a stream got " + least + " frames");
        page.close();
        return "wall of " + WALL_FEEDS + " over HTTP/2: " + samples + " samples, at least " + leastChanged
                + " tiles changed between each; every stream got at least " + least + " frames";
    }

    /** The frame number of our pattern drawn whole at its natural size in the viewport now, or -1 when it is not. */
    private static long frameShown(WebKit.Page page) {
        try {
            BufferedImage shot = page.screenshot();
            // Found by its white bar; the band's right end, which locate() measures, may hide behind the square.
            Rectangle found = TestPatternPixels.locate(shot, WIDTH, HEIGHT);
            Rectangle drawn = new Rectangle(found.x, found.y, WIDTH, HEIGHT);
            TestPatternPixels.assertBars(shot, drawn);
            return TestPatternPixels.frameNumber(shot, drawn);
        } catch (AssertionError e) {
            if (e.getMessage() != null && e.getMessage().startsWith("WebKit:")) {
                throw e; // the page crashed or hung: no second look
            }
            return -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean differs(BufferedImage a, BufferedImage b, Rectangle region) {
        for (int y = region.y; y < region.y + region.height; y++) {
            for (int x = region.x; x < region.x + region.width; x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return true;
                }
            }
        }
        return false;
    }
}
