package io.mjpegserver.capture;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.capture.source.NoSignalImage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one capture thread of a source: it grabs, stamps and publishes frames into the ring, paced at the
 * source's rate. A source that fails mid-stream is reopened with backoff, and meanwhile a NO SIGNAL frame
 * goes out about once a second, so open streams stay open and show why. Nothing here blocks a ring reader.
 */
public final class CaptureService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long NO_SIGNAL_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long STALE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int FPS_WINDOW = 16;

    private final FrameSource source;
    private final String description;
    private final int quality;
    private final FrameRing ring;
    private final ByteBufAllocator alloc;
    private final CaptureObserver observer;
    private final Thread thread;
    private volatile boolean running = true;

    // Capture thread only.
    private final long[] frameTimes = new long[FPS_WINDOW];
    private long backoffNanos = MIN_BACKOFF_NANOS;
    private NoSignalImage noSignal;

    // Written by the capture thread, read by anyone.
    private volatile boolean online = true;
    private volatile long sequence;
    private volatile long framesCaptured;
    private volatile long noSignalFrames;
    private volatile long lastFrameNanos;
    private volatile double windowFps;
    private volatile long lastGrabNanos;
    private volatile long lastEncodeNanos;
    private volatile long reopens;
    private volatile String lastError;

    private CaptureService(FrameSource source, String description, int quality, FrameRing ring, ByteBufAllocator alloc,
            CaptureObserver observer) {
        this.source = source;
        this.description = description;
        this.quality = quality;
        this.ring = ring;
        this.alloc = alloc;
        this.observer = observer;
        this.thread = new Thread(this::run, "capture-" + description.replaceAll("[^A-Za-z0-9._-]+", "-"));
        this.thread.setDaemon(true);
    }

    /**
     * Opens the source {@code config} names and starts capturing into {@code ring}.
     *
     * @throws SourceException when the source cannot be opened; the message names it and the fix
     */
    public static CaptureService start(CaptureConfig config, FrameRing ring, ByteBufAllocator alloc) throws SourceException {
        return start(FrameSources.create(config), config.source().describe(), config.quality(), ring, alloc,
                CaptureObserver.NONE);
    }

    /**
     * Opens {@code source} (failing fast if it cannot) and starts the capture thread. The service owns the
     * source from here on and closes it. Frame buffers come from {@code alloc}; NO SIGNAL frames are
     * encoded at {@code quality}.
     */
    public static CaptureService start(FrameSource source, String description, int quality, FrameRing ring,
            ByteBufAllocator alloc, CaptureObserver observer) throws SourceException {
        try {
            source.open();
        } catch (SourceException | RuntimeException e) {
            source.close();
            throw e;
        }
        CaptureService service = new CaptureService(source, description, quality, ring, alloc, observer);
        service.thread.start();
        return service;
    }

    private void run() {
        try {
            long deadline = System.nanoTime();
            while (running) {
                long started = System.nanoTime();
                ByteBuf jpeg;
                try {
                    jpeg = source.grab(alloc);
                } catch (SourceException | RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    fail(e);
                    recover();
                    deadline = System.nanoTime();
                    continue;
                }
                long now = System.nanoTime();
                captured(jpeg, started, now);
                deadline = pace(deadline, source.pacingFps());
            }
        } finally {
            source.close();
            if (noSignal != null) {
                noSignal.close();
            }
        }
    }

    private void captured(ByteBuf jpeg, long started, long now) {
        int bytes = jpeg.readableBytes();
        long encode = source.lastEncodeNanos();
        publish(jpeg, now);
        lastGrabNanos = now - started;
        lastEncodeNanos = encode;
        if (!online) {
            log.info("source {} is back", description);
        }
        online = true;
        backoffNanos = MIN_BACKOFF_NANOS;
        long count = ++framesCaptured;
        lastFrameNanos = now;
        frameTimes[(int) (count % FPS_WINDOW)] = now;
        if (count >= FPS_WINDOW) {
            long oldest = frameTimes[(int) ((count + 1) % FPS_WINDOW)];
            windowFps = (FPS_WINDOW - 1) * 1e9 / Math.max(1, now - oldest);
        }
        observer.captured(lastGrabNanos, encode, bytes);
    }

    /** Publishes {@code jpeg} (ownership passes to the ring) as the next frame. */
    private void publish(ByteBuf jpeg, long now) {
        ring.publish(new Frame(++sequence, now, wallClockMicros(), source.width(), source.height(), jpeg));
    }

    /** Sleeps until the next frame is due; a source that fell behind by more than a frame does not burst. */
    private long pace(long deadline, double fps) {
        if (fps <= 0) {
            return System.nanoTime();
        }
        long period = (long) (1e9 / fps);
        long next = deadline + period;
        long now = System.nanoTime();
        if (next < now - period) {
            return now;
        }
        parkUntil(next);
        return next;
    }

    private void parkUntil(long nanoTime) {
        while (running && nanoTime - System.nanoTime() > 0) {
            LockSupport.parkNanos(this, nanoTime - System.nanoTime());
        }
    }

    private void fail(Exception e) {
        boolean wasOnline = online;
        online = false;
        lastError = e.getMessage();
        if (wasOnline) {
            log.warn("source {} failed: {}", description, e.getMessage());
        }
        observer.sourceFailed(e.getMessage());
    }

    /**
     * Until the source reopens (or the service stops): a NO SIGNAL frame about once a second, and reopen
     * attempts with backoff doubling to five seconds.
     */
    private void recover() {
        source.close();
        long nextAttempt = System.nanoTime() + backoffNanos;
        long nextNoSignal = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            if (now - nextNoSignal >= 0) {
                publishNoSignal();
                nextNoSignal = now + NO_SIGNAL_PERIOD_NANOS;
            }
            if (now - nextAttempt >= 0) {
                try {
                    source.open();
                    reopens++;
                    log.info("source {} reopened", description);
                    observer.sourceReopened();
                    return;
                } catch (SourceException | RuntimeException e) {
                    lastError = e.getMessage();
                    source.close();
                    backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
                    nextAttempt = System.nanoTime() + backoffNanos;
                }
            }
            parkUntil(nextAttempt - nextNoSignal < 0 ? nextAttempt : nextNoSignal);
        }
    }

    private void publishNoSignal() {
        try {
            if (noSignal == null) {
                noSignal = new NoSignalImage(source.width(), source.height(), quality);
            }
            publish(noSignal.render(System.currentTimeMillis(), lastError, alloc), System.nanoTime());
            noSignalFrames++;
            observer.noSignalFrame();
        } catch (SourceException | RuntimeException e) {
            log.warn("cannot draw the NO SIGNAL frame: {}", e.getMessage());
        }
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public CaptureStats stats() {
        long last = lastFrameNanos;
        long since = framesCaptured == 0 ? -1 : System.nanoTime() - last;
        double fps = since < 0 || since > STALE_NANOS ? 0 : windowFps;
        return new CaptureStats(online, framesCaptured, noSignalFrames, fps, lastGrabNanos, lastEncodeNanos, since,
                reopens, lastError);
    }

    /** The width of the frames this source produces. */
    public int width() {
        return source.width();
    }

    public int height() {
        return source.height();
    }

    /** The rate the capture thread paces at, or 0 for a source that paces itself. */
    public double pacingFps() {
        return source.pacingFps();
    }

    /** Whether the source's own JPEGs are sent, with no encode; see {@link FrameSource#passesThrough()}. */
    public boolean passesThrough() {
        return source.passesThrough();
    }

    /** Stops the capture thread (waiting up to a second for a grab in progress) and closes the source. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("capture thread {} still busy after 1 s; it will stop after its current grab", thread.getName());
        }
    }
}
