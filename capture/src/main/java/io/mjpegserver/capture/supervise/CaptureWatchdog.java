package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.publish.CaptureFigures;
import io.mjpegserver.capture.publish.RingPublisher;
import io.mjpegserver.capture.source.Natives;
import io.mjpegserver.capture.encode.NoSignalBackground;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares a source lost when it has delivered nothing for {@link #hangNanos()} (a pulled grab that has not
 * returned, a pushed source silent since its last frame), and publishes NO SIGNAL frames about once a second while
 * it is down, whatever the source's thread is doing. It ticks on the shared {@link SupervisorThreads}, one tick at a
 * time, never blocks (it only tries the publisher's lock), and rests while an on-demand feed is idle.
 */
final class CaptureWatchdog {

    private static final Logger log = LoggerFactory.getLogger(CaptureWatchdog.class);
    /** A grab is hung after this many frame periods... */
    static final int HANG_PERIODS = 3;
    /** ...and never under this: a file at low --fps may decode many frames in one grab, a camera may start slowly. */
    static final long MIN_HANG_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** ...nor over this, however slow the source has been: a source silent this long is lost. */
    static final long MAX_HANG_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** NO SIGNAL frames are drawn with at most this many pixels (1920x1080's), keeping the source's aspect. */
    static final long MAX_NO_SIGNAL_PIXELS = 1920L * 1080;
    static final long NO_SIGNAL_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often it looks: a tenth of a second keeps a hang's detection and NO SIGNAL's timing within that. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A grab under way: when it started, and in which generation of the publisher. */
    record Grab(long startedNanos, long generation) {
    }

    /** What the watchdog needs of its service. */
    interface Feed {
        /**
         * What the source is waiting for, or {@code null} when it waits for nothing (between grabs, closed):
         * for a pulled source the grab under way, for a pushed one the wait since its last frame.
         */
        Grab grab();

        /** How a hang is told to users, after "no frame from SOURCE for 2.0 s: ". */
        String hangWords();

        /**
         * The source, down already, was silent again for as long as makes a hang: not a new loss (not counted,
         * not told), but a pushed source reconnecting to an upstream that says nothing must try again, and only
         * the watchdog can tell. A pulled source stuck in a read is not interrupted twice: it does nothing.
         */
        void silentWhileDown(Grab grab, String reason);

        boolean running();

        int width();

        int height();

        /** The source's own rate, as far as it is known now (an RTSP source's once open), or 0. */
        double nominalFps();

        /** A grab was declared hung: the source's thread is told (a pulled one interrupted), the observer too. */
        void hung(String reason);
    }

    private final Feed feed;
    private final RingPublisher publisher;
    private final String description;
    private final int quality;
    private final ByteBufAllocator alloc;
    private final CaptureFigures figures;
    private final boolean noSignalFrames;
    private final FatalErrorHandler fatal;
    private volatile SerialTask ticks;
    private ScheduledExecutorService executor;
    private BooleanSupplier resting;
    /** The periodic tick while armed; null while the feed rests. One tick at a time. */
    private volatile ScheduledFuture<?> clock;
    // One tick at a time.
    private NoSignalImage noSignal;
    /** What is shown until OpenCV has loaded for {@link #noSignal}; null if it never had to be. */
    private NoSignalBackground background;
    private long outage = -1;
    private long nextNoSignal;
    private boolean drawFailureLogged;
    /** The interval between frames the source has shown (0 before any), and the frames seen when last looked. */
    private long learntNanos;
    private long seenFrames;
    private long seenFrameNanos;
    private long seenGeneration = -1;
    /** The hang threshold of the last tick (0 before the first), for other threads: health judges staleness by it. */
    private volatile long threshold;

    /**
     * @param figures        the feed's frame figures, whose frame times teach the source's rate
     * @param noSignalFrames whether NO SIGNAL frames are published while the source is down
     */
    CaptureWatchdog(Feed feed, RingPublisher publisher, String description, int quality, ByteBufAllocator alloc,
            CaptureFigures figures, boolean noSignalFrames, FatalErrorHandler fatal) {
        this.feed = feed;
        this.publisher = publisher;
        this.description = description;
        this.quality = quality;
        this.alloc = alloc;
        this.figures = figures;
        this.noSignalFrames = noSignalFrames;
        this.fatal = fatal;
    }

    /**
     * 3 periods of the slower of {@code fps} (0 when unknown; an RTSP or relayed source's is known once open) and the
     * {@code intervalNanos} the source has shown (0 when unknown), within {@link #MIN_HANG_NANOS} and
     * {@link #MAX_HANG_NANOS}.
     */
    static long hangNanos(double fps, long intervalNanos) {
        double period = Math.max(fps > 0 ? 1e9 / fps : 0, intervalNanos);
        return (long) Math.min(MAX_HANG_NANOS, Math.max(MIN_HANG_NANOS, HANG_PERIODS * period));
    }

    /** The hang threshold now. One tick at a time. */
    long hangNanos() {
        return hangNanos(feed.nominalFps(), learntNanos);
    }

    /** The hang threshold as of the last tick, or 0 before the first; any thread. */
    long threshold() {
        return threshold;
    }

    /**
     * Learns the interval between frames from the frames published since the last look, within one generation
     * (an outage between two frames is no interval of the source's): a slower one is taken at once, a faster one
     * lowers it by an eighth per look.
     */
    private void learn() {
        long frames = figures.frames();
        long last = figures.lastFrameNanos();
        long generation = publisher.generation();
        if (frames > seenFrames && seenFrames > 0 && generation == seenGeneration) {
            long interval = (last - seenFrameNanos) / (frames - seenFrames);
            learntNanos = Math.max(interval, learntNanos - learntNanos / 8 + interval / 8);
        }
        if (frames != seenFrames || generation != seenGeneration) {
            seenFrames = frames;
            seenFrameNanos = last;
            seenGeneration = generation;
        }
    }

    /** The size a NO SIGNAL frame is drawn at for frames of {@code width x height}: theirs, or fewer pixels. */
    static VideoSize noSignalSize(int width, int height) {
        double scale = Math.min(1, Math.sqrt((double) MAX_NO_SIGNAL_PIXELS / ((double) width * height)));
        if (scale >= 1) {
            return new VideoSize(width, height);
        }
        return new VideoSize(Math.max(16, (int) (width * scale) & ~1), Math.max(16, (int) (height * scale) & ~1));
    }

    /**
     * Starts ticking on {@code threads}, every {@link #TICK_NANOS}, until the feed stops running; not while
     * {@code resting} says the feed is idle and wanted by no one (a {@link #wake()} when that changes).
     */
    void start(SupervisorThreads threads, BooleanSupplier resting) {
        this.executor = threads.executor();
        this.resting = resting;
        ticks = new SerialTask(executor, this::tick);
        ticks.request();
    }

    private void tick() {
        try {
            if (!feed.running()) {
                disarm();
                if (noSignal != null) {
                    noSignal.close();
                    noSignal = null;
                }
                return;
            }
            if (resting.getAsBoolean() && feed.grab() == null) {
                disarm();
                return;
            }
            arm();
            try {
                check(System.nanoTime());
            } catch (RuntimeException e) {
                publisher.internalError();
                log.warn("capture watchdog of {}: internal error, carrying on", description, e);
            }
        } catch (Error e) {
            fatal.fatal(Thread.currentThread().getName(), e);
        }
    }

    private void arm() {
        if (clock == null) {
            try {
                clock = executor.scheduleWithFixedDelay(ticks::runHere, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                // The server is closing.
            }
        }
    }

    private void disarm() {
        ScheduledFuture<?> periodic = clock;
        if (periodic != null) {
            periodic.cancel(false);
            clock = null;
        }
    }

    /** Ticks now (a loss, clients coming or going, or the end), rather than at the next tick. */
    void wake() {
        if (ticks != null) {
            ticks.request();
        }
    }

    private void check(long now) {
        learn();
        long hangNanos = hangNanos();
        threshold = hangNanos;
        Grab grab = feed.grab();
        boolean online = publisher.online();
        if (grab != null && now - grab.startedNanos() > hangNanos) {
            String reason = String.format(Locale.ROOT, "no frame from %s for %.1f s: %s", description,
                    hangNanos / 1e9, feed.hangWords());
            // A grab that returned just now, at the deadline, may still be declared: it was that late.
            if (online && publisher.lose(grab.generation(), RingPublisher.Loss.HUNG, reason, false)) {
                // Perhaps only slower than it said (a camera at 1 fps): the next threshold is twice this one, so
                // such a source is declared lost once or twice while the watchdog learns, not in a loop.
                learntNanos = Math.max(learntNanos, 2 * hangNanos / HANG_PERIODS);
                threshold = hangNanos();
                log.warn("source {} lost: {}", description, reason);
                feed.hung(reason);
            } else if (!online && grab.generation() == publisher.generation()) {
                feed.silentWhileDown(grab, reason);
            }
        }
        if (publisher.online() || publisher.isIdle() || !noSignalFrames) {
            return;
        }
        // Each loss is counted once: the count names the outage (a reconnect attempt does not start a new one).
        long failures = publisher.failures();
        if (failures != outage) {
            outage = failures;
            nextNoSignal = now;
            drawFailureLogged = false;
        }
        if (now - nextNoSignal >= 0 && publishNoSignal()) {
            nextNoSignal = now + NO_SIGNAL_PERIOD_NANOS;
        }
    }

    /**
     * The NO SIGNAL frame at {@code width x height}, which the caller owns. A feed that passes its frames through
     * has not loaded OpenCV: until it has (see {@link #publishNoSignal}), the frame is the background alone,
     * encoded without OpenCV, so that clients are told at once.
     */
    private ByteBuf draw(int width, int height) throws SourceException {
        if (noSignal == null && !Natives.loaded()) {
            if (background == null) {
                background = new NoSignalBackground();
            }
            return background.render(width, height, alloc);
        }
        if (noSignal == null || noSignal.width() != width || noSignal.height() != height) {
            if (noSignal != null) {
                noSignal.close();
            }
            noSignal = new NoSignalImage(width, height, quality);
        }
        return noSignal.render(System.currentTimeMillis(), publisher.lastError(), alloc);
    }

    /** Publishes a NO SIGNAL frame; whether it is done for this period. */
    private boolean publishNoSignal() {
        try {
            return drawAndPublish();
        } finally {
            if (noSignal == null && !Natives.loaded()) {
                // OpenCV loads for the next frames, with their words, on a thread of its own. The watchdog waits at
                // most for JavaCPP's own small library, once, and only if no feed has loaded it (a relay's never does).
                Natives.preloadInBackground();
            }
        }
    }

    private boolean drawAndPublish() {
        VideoSize size = noSignalSize(feed.width(), feed.height());
        int width = size.width();
        int height = size.height();
        ByteBuf jpeg;
        try {
            jpeg = draw(width, height);
        } catch (SourceException | RuntimeException e) {
            publisher.internalError();
            if (!drawFailureLogged) {
                drawFailureLogged = true;
                log.warn("cannot draw the NO SIGNAL frame for {}", description, e);
            }
            // Not again before the next period: a failing draw must not spin.
            return true;
        }
        try {
            return publisher.publishNoSignal(jpeg, width, height);
        } catch (RuntimeException e) {
            // A ring listener threw: the frame is in the ring; the source is down already.
            publisher.internalError();
            if (!drawFailureLogged) {
                drawFailureLogged = true;
                log.warn("internal error while publishing a NO SIGNAL frame for {}", description, e);
            }
            return true;
        }
    }
}
