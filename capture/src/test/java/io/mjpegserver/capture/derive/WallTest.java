package io.mjpegserver.capture.derive;

import static io.mjpegserver.capture.derive.Pictures.box;
import static io.mjpegserver.capture.derive.Pictures.near;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.PooledByteBufAllocator;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.concurrent.CopyOnWriteArrayList;

class WallTest {

    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private final List<FrameRing> rings = new ArrayList<>();
    private final FrameRing target = new FrameRing(4);
    private final BlockingQueue<Frame> out = new LinkedBlockingQueue<>();
    private DeriveWorkers workers;
    private long sequence;

    @BeforeEach
    void start() {
        workers = new DeriveWorkers(1, FatalErrorHandler.HALT);
        target.addListener(frame -> out.add(frame.retainedDuplicate()));
    }

    @AfterEach
    void stop() {
        workers.close();
        rings.forEach(FrameRing::close);
        target.close();
        for (Frame f; (f = out.poll()) != null;) {
            f.release();
        }
    }

    @Test
    void laysTilesOutInAGridWithEvenEdgesAndNoGaps() {
        for (int n = 1; n <= 10; n++) {
            WallLayout layout = Wall.layout(n, 1000, new VideoSize(1280, 720));
            int columns = (int) Math.ceil(Math.sqrt(n));
            assertEquals(columns, layout.columns());
            assertEquals((n + columns - 1) / columns, layout.rows());
            assertEquals(1000, layout.size().width());
            assertEquals(n, layout.tiles().size());
            for (int i = 0; i < n; i++) {
                WallLayout.Tile tile = layout.tiles().get(i);
                assertTrue(tile.x() % 2 == 0 && tile.y() % 2 == 0 && tile.width() % 2 == 0 && tile.height() % 2 == 0,
                        "even: " + tile);
                int col = i % columns;
                if (col > 0) {
                    WallLayout.Tile left = layout.tiles().get(i - 1);
                    assertEquals(left.x() + left.width(), tile.x(), "no gap after " + left);
                } else {
                    assertEquals(0, tile.x());
                }
                if (col == columns - 1) {
                    assertEquals(1000, tile.x() + tile.width(), "the row ends at the edge");
                }
                assertEquals(i / columns * tile.height(), tile.y());
            }
            WallLayout.Tile last = layout.tiles().get(n - 1);
            assertEquals(layout.size().height(), last.y() + last.height(), "the last row ends at the bottom");
        }
        assertEquals(new VideoSize(1920, 1080), Wall.layout(9, 0, new VideoSize(1280, 720)).size(), "default width");
        assertEquals(new VideoSize(640, 360), Wall.layout(1, 0, new VideoSize(640, 360)).size());
        assertEquals(new VideoSize(640, 480), Wall.layout(4, 640, new VideoSize(640, 480)).size(), "the first's aspect");
        assertEquals(new VideoSize(640, 360), Wall.layout(4, 640, null).size(), "16:9 when unknown");
    }

    private FrameRing ring() {
        FrameRing ring = new FrameRing(2);
        rings.add(ring);
        return ring;
    }

    private void publish(FrameRing ring, byte[] jpeg, int width, int height, boolean live) {
        sequence++;
        ring.publish(new Frame(sequence, System.nanoTime(), 0, width, height, Pictures.direct(jpeg), live));
    }

    private BufferedImage next(Wall wall) throws InterruptedException {
        Frame frame = out.poll(10, TimeUnit.SECONDS);
        assertNotNull(frame, "a wall frame within 10 s");
        try {
            assertEquals(wall.size().width() + "x" + wall.size().height(), frame.width() + "x" + frame.height());
            assertTrue(frame.live());
            return Pictures.decodeAndRelease(frame.content().retain(), wall.size().width(), wall.size().height());
        } finally {
            frame.release();
        }
    }

    @Test
    void composesTheNewestFramesAndFlagsFeedsWithoutSignal() throws Exception {
        FrameRing blue = ring();
        FrameRing red = ring();
        FrameRing empty = ring();
        FrameRing down = ring();
        publish(blue, Pictures.drawn(640, 360, 0, 90, box(0, 0, 640, 360, 255, 0, 0)), 640, 360, true);
        publish(red, Pictures.drawn(640, 480, 0, 90, box(0, 0, 640, 480, 0, 0, 255)), 640, 480, true);
        publish(down, Pictures.drawn(640, 360, 0, 90, box(0, 0, 640, 360, 255, 255, 255)), 640, 360, false);
        List<Wall.Input> inputs = List.of(new Wall.Input("blue", blue), new Wall.Input("red", red),
                new Wall.Input("empty", empty), new Wall.Input("down", down));
        List<Long> latencies = new CopyOnWriteArrayList<>();
        try (Wall wall = new Wall(inputs, 640, 10, 90, target, workers, ALLOC,
                (latency, work, bytes) -> latencies.add(latency))) {
            assertEquals(new VideoSize(640, 360), wall.size());
            wall.start();
            BufferedImage image = next(wall);
            assertTrue(near(image, 160, 90, 0, 0, 255, 40), "the blue feed's tile");
            // 640x480 in a 320x180 tile: 240x180 in the middle, dark at the sides.
            int level = NoSignalImage.BACKGROUND_LEVEL;
            assertTrue(near(image, 480, 90, 255, 0, 0, 40), "the red feed's tile");
            assertTrue(near(image, 325, 90, level, level, level, 16), "letterboxed on the left");
            assertTrue(near(image, 635, 90, level, level, level, 16), "letterboxed on the right");
            assertNoSignal(image, 0, 180, "no frame yet");
            assertNoSignal(image, 320, 180, "a NO SIGNAL frame");
            assertEquals(2, wall.tilesDecoded());

            next(wall);
            next(wall);
            assertEquals(2, wall.tilesDecoded(), "unchanged feeds are not decoded again");
            publish(blue, Pictures.drawn(640, 360, 0, 90, box(0, 0, 640, 360, 0, 255, 0)), 640, 360, true);
            next(wall);
            BufferedImage green = next(wall);
            assertTrue(near(green, 160, 90, 0, 255, 0, 40), "the blue feed's new frame");
            assertEquals(3, wall.tilesDecoded());
            assertTrue(!latencies.isEmpty() && latencies.get(0) > 0);

            wall.stop();
            wall.stop();
            for (Frame f; (f = out.poll(300, TimeUnit.MILLISECONDS)) != null;) {
                f.release();
            }
            assertNull(out.poll(300, TimeUnit.MILLISECONDS), "no ticks once stopped");
            wall.start();
            next(wall);
        }
    }

    /** A dark tile at (x, y), 320x180, with light text on it. */
    private static void assertNoSignal(BufferedImage image, int x0, int y0, String why) {
        int dark = 0;
        int light = 0;
        for (int y = y0; y < y0 + 180; y++) {
            for (int x = x0; x < x0 + 320; x++) {
                int g = Pictures.rgb(image, x, y)[1];
                dark += g < 50 ? 1 : 0;
                light += g > 200 ? 1 : 0;
            }
        }
        assertTrue(dark > 320 * 180 * 3 / 4 && light > 200, why + ": " + dark + " dark and " + light + " light pixels");
    }

    @Test
    void skipsATickWhileTheLastIsAtWork() throws Exception {
        FrameRing feed = ring();
        publish(feed, Pictures.pattern(640, 360), 640, 360, true);
        CountDownLatch latch = BusyWorker.block(workers);
        try (Wall wall = new Wall(List.of(new Wall.Input("feed", feed)), 0, 50, 80, target, workers, ALLOC,
                DeriveObserver.NONE)) {
            wall.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (wall.ticksSkipped() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(wall.ticksSkipped() >= 3, "skipped " + wall.ticksSkipped());
            assertEquals(0, target.published(), "one tick waits for the worker, the others are skipped");
            latch.countDown();
            next(wall);
        }
    }

    @Test
    void closesWhileTicking() throws Exception {
        FrameRing feed = ring();
        publish(feed, Pictures.pattern(1280, 720), 1280, 720, true);
        for (int round = 0; round < 5; round++) {
            Wall wall = new Wall(List.of(new Wall.Input("feed", feed), new Wall.Input("other", feed)), 1280, 60, 80,
                    target, workers, ALLOC, DeriveObserver.NONE);
            wall.start();
            next(wall);
            publish(feed, Pictures.pattern(1280, 720), 1280, 720, true);
            wall.close();
            wall.close();
        }
    }
}
