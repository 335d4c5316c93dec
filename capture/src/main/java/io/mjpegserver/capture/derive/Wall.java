package io.mjpegserver.capture.derive;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.encode.JpegEncoder;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Instant;

/**
 * Several feeds as one grid ({@link WallLayout}) from each input ring's newest frame, encoded once per tick into a
 * target ring it does not own. Ticks at {@code fps} between {@link #start()} and {@link #stop()}, one at a time on
 * the workers (a tick while the last is at work is skipped, counted). A tile is decoded again only when its feed's
 * newest frame changed; a feed with no current live frame shows a dark tile with its name and NO SIGNAL.
 */
public final class Wall implements AutoCloseable {

    /** One feed of the wall: its name, shown when it has no signal, and its ring (read, not owned). */
    public record Input(String name, FrameRing ring) {
    }

    private static final Logger log = LoggerFactory.getLogger(Wall.class);
    /** {@link #shown} for a tile showing NO SIGNAL, and for one showing nothing yet. */
    private static final long NO_SIGNAL = -1;
    private static final long NOTHING = -2;

    private final List<Input> inputs;
    private final WallLayout layout;
    private final long periodNanos;
    private final FrameRing target;
    private final DeriveWorkers workers;
    private final ByteBufAllocator alloc;
    private final DeriveObserver observer;
    private final Mat canvas;
    private final JpegEncoder encoder;
    private final ReducedDecoder decoder = new ReducedDecoder();
    /** Worker only: the sequence of the frame each tile shows, or {@link #NO_SIGNAL} or {@link #NOTHING}. */
    private final long[] shown;
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong ticksSkipped = new AtomicLong();
    private final AtomicLong framesFailed = new AtomicLong();
    private final AtomicLong tilesDecoded = new AtomicLong();
    /** Worker only. */
    private long nextSequence;

    /** Guards the fields below. */
    private final Object lock = new Object();
    private ScheduledFuture<?> ticking;
    private boolean busy;
    private boolean closed;
    private boolean freed;

    /**
     * @param width the whole mosaic's width; 0 for a default (see {@link WallLayout})
     * @param fps ticks per second
     * @param target where the wall's frames go; not closed here
     */
    public Wall(List<Input> inputs, int width, double fps, int quality, FrameRing target, DeriveWorkers workers,
            ByteBufAllocator alloc, DeriveObserver observer) {
        if (!(fps > 0 && fps <= 120)) {
            throw new IllegalArgumentException("fps: " + fps + " (expected: > 0 and <= 120)");
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality: " + quality + " (expected: 1 to 100)");
        }
        this.inputs = List.copyOf(inputs);
        this.layout = layout(this.inputs.size(), width, firstSize(this.inputs));
        this.periodNanos = (long) (TimeUnit.SECONDS.toNanos(1) / fps);
        this.target = target;
        this.workers = workers;
        this.alloc = alloc;
        this.observer = observer == null ? DeriveObserver.NONE : observer;
        this.canvas = new Mat(layout.size().height(), layout.size().width(), CV_8UC3);
        Letterbox.fillDark(canvas);
        this.encoder = new JpegEncoder(quality);
        this.shown = new long[this.inputs.size()];
        Arrays.fill(shown, NOTHING);
        this.nextSequence = target.sequenceSpan()[1] + 1;
    }

    /** The grid for {@code tiles} feeds; see {@link WallLayout#of}. */
    public static WallLayout layout(int tiles, int width, VideoSize firstTile) {
        return WallLayout.of(tiles, width, firstTile);
    }

    /** The size of the first input's newest frame, or {@code null} when it has none. */
    private static VideoSize firstSize(List<Input> inputs) {
        if (inputs.isEmpty()) {
            return null;
        }
        Frame first = inputs.get(0).ring().latest();
        if (first == null) {
            return null;
        }
        try {
            return new VideoSize(first.width() & ~1, first.height() & ~1);
        } catch (IllegalArgumentException e) {
            return null;
        } finally {
            first.release();
        }
    }

    /** The mosaic's size. */
    public VideoSize size() {
        return layout.size();
    }

    public WallLayout wallLayout() {
        return layout;
    }

    /** Starts ticking (the first tick at once). Idempotent; nothing after {@link #close()}. */
    public void start() {
        synchronized (lock) {
            if (ticking == null && !closed) {
                ticking = workers.every(periodNanos, this::tick);
            }
        }
    }

    /** Stops ticking; a tick at work finishes and publishes. Idempotent. */
    public void stop() {
        synchronized (lock) {
            if (ticking != null) {
                ticking.cancel(false);
                ticking = null;
            }
        }
    }

    /** On the ticker: hands the tick to a worker, unless the last is still at work. */
    private void tick() {
        long at = System.nanoTime();
        synchronized (lock) {
            if (closed || ticking == null) {
                return;
            }
            if (busy) {
                ticksSkipped.incrementAndGet();
                return;
            }
            busy = true;
        }
        if (!workers.execute(() -> compose(at))) {
            synchronized (lock) {
                busy = false;
                lock.notifyAll();
            }
        }
    }

    /** On a worker: composes, encodes and publishes one frame of the wall. */
    private void compose(long tickNanos) {
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            long started = System.nanoTime();
            for (int i = 0; i < inputs.size(); i++) {
                drawTile(i);
            }
            ByteBuf jpeg;
            try {
                jpeg = encoder.encode(canvas, alloc);
            } catch (SourceException e) {
                framesFailed.incrementAndGet();
                log.warn("wall: {}", e.getMessage());
                return;
            }
            long processNanos = System.nanoTime() - started;
            int bytes = jpeg.readableBytes();
            // Ownership of jpeg moves to the frame, then to the target ring.
            target.publish(new Frame(nextSequence++, System.nanoTime(), currentMicros(), layout.size().width(),
                    layout.size().height(), jpeg, true));
            framesOut.incrementAndGet();
            observer.derived(System.nanoTime() - tickNanos, processNanos, bytes);
        } finally {
            synchronized (lock) {
                busy = false;
                if (closed) {
                    free();
                }
                lock.notifyAll();
            }
        }
    }

    private static long currentMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Draws tile {@code i} from its feed's newest frame, unless it shows that frame already. */
    private void drawTile(int i) {
        Input input = inputs.get(i);
        WallLayout.Tile tile = layout.tiles().get(i);
        Frame frame = input.ring().latest();
        try (Rect rect = new Rect(tile.x(), tile.y(), tile.width(), tile.height()); Mat region = new Mat(canvas, rect)) {
            if (frame == null || !frame.live() || !input.ring().isCurrent(frame.sequence())) {
                if (shown[i] != NO_SIGNAL) {
                    drawNoSignal(region, input.name());
                    shown[i] = NO_SIGNAL;
                }
            } else if (shown[i] != frame.sequence()) {
                shown[i] = NOTHING;
                drawPicture(region, frame);
                shown[i] = frame.sequence();
            }
        } catch (SourceException | RuntimeException e) {
            FatalErrorHandler.rethrowError(e);
            framesFailed.incrementAndGet();
            log.debug("wall: the frame of {} could not be drawn", input.name(), e);
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
    }

    private void drawPicture(Mat region, Frame frame) throws SourceException {
        int r;
        try (Rect inner = Letterbox.inner(frame.width(), frame.height(), region.cols(), region.rows())) {
            r = ReducedDecoder.reduction(frame.width(), frame.height(), inner.width(), inner.height());
        }
        Letterbox.fit(decoder.decode(frame.content(), r, false), region);
        tilesDecoded.incrementAndGet();
    }

    /** A dark tile with the feed's name and NO SIGNAL under it. */
    private static void drawNoSignal(Mat region, String name) {
        Letterbox.fillDark(region);
        int margin = Math.max(2, region.cols() / 20);
        double textHeight = Math.max(8, region.rows() / 8.0);
        int room = region.cols() - 2 * margin;
        TextPainter.draw(region, name, margin, (int) (region.rows() * 0.3), textHeight, room, false);
        TextPainter.draw(region, "NO SIGNAL", margin, (int) (region.rows() * 0.55), textHeight, room, false);
    }

    /** Frames published. */
    public long framesOut() {
        return framesOut.get();
    }

    /** Ticks skipped because the last was still at work. */
    public long ticksSkipped() {
        return ticksSkipped.get();
    }

    /** Tiles or frames that could not be drawn or encoded. */
    public long framesFailed() {
        return framesFailed.get();
    }

    /** Frames of the inputs decoded into tiles. */
    long tilesDecoded() {
        return tilesDecoded.get();
    }

    /** Stops ticking and waits (up to two seconds) for a tick at work; frees the images. Idempotent. */
    @Override
    public void close() {
        stop();
        synchronized (lock) {
            closed = true;
            Waiting.whileBusy(lock, () -> busy, Waiting.CLOSE_WAIT_NANOS);
            if (!busy) {
                free();
            }
        }
    }

    /** Under the lock, with no tick at work. */
    private void free() {
        if (!freed) {
            freed = true;
            canvas.close();
            encoder.close();
            decoder.close();
        }
    }
}
