package io.mjpegserver.capture;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.capture.source.FrameSources;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one capture thread of a source: it grabs, stamps and publishes frames into the ring, paced at
 * the source's rate. A source that fails mid-stream is reopened with backoff; nothing here ever blocks a
 * reader of the ring.
 */
public final class CaptureService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final FrameSource source;
    private final String description;
    private final FrameRing ring;
    private final ByteBufAllocator alloc;
    private final Thread thread;
    private volatile boolean running = true;

    // Written by the capture thread only.
    private volatile boolean online = true;
    private volatile long sequence;
    private volatile long lastGrabNanos;
    private volatile long reopens;
    private volatile String lastError;

    private CaptureService(FrameSource source, String description, FrameRing ring, ByteBufAllocator alloc) {
        this.source = source;
        this.description = description;
        this.ring = ring;
        this.alloc = alloc;
        this.thread = new Thread(this::run, "capture-" + description.replaceAll("[^A-Za-z0-9._-]+", "-"));
        this.thread.setDaemon(true);
    }

    /**
     * Opens the source {@code config} names and starts capturing into {@code ring}.
     *
     * @throws SourceException when the source cannot be opened; the message names it and the fix
     */
    public static CaptureService start(CaptureConfig config, FrameRing ring, ByteBufAllocator alloc) throws SourceException {
        return start(FrameSources.create(config), config.source().describe(), ring, alloc);
    }

    /**
     * Opens {@code source} (failing fast if it cannot) and starts the capture thread. The service owns the
     * source from here on and closes it. Frame buffers come from {@code alloc}.
     */
    public static CaptureService start(FrameSource source, String description, FrameRing ring, ByteBufAllocator alloc)
            throws SourceException {
        try {
            source.open();
        } catch (SourceException | RuntimeException e) {
            source.close();
            throw e;
        }
        CaptureService service = new CaptureService(source, description, ring, alloc);
        service.thread.start();
        return service;
    }

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
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
                reopen(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                deadline = System.nanoTime();
                continue;
            }
            long now = System.nanoTime();
            lastGrabNanos = now - started;
            online = true;
            backoff = MIN_BACKOFF_NANOS;
            ring.publish(new Frame(++sequence, now, wallClockMicros(), source.width(), source.height(), jpeg));
            deadline = pace(deadline, source.pacingFps());
        }
        source.close();
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
        while (running && next - System.nanoTime() > 0) {
            LockSupport.parkNanos(this, next - System.nanoTime());
        }
        return next;
    }

    private void fail(Exception e) {
        boolean wasOnline = online;
        online = false;
        lastError = e.getMessage();
        if (wasOnline) {
            log.warn("source {} failed: {}", description, e.getMessage());
        }
    }

    private void reopen(long backoff) {
        source.close();
        long until = System.nanoTime() + backoff;
        while (running && until - System.nanoTime() > 0) {
            LockSupport.parkNanos(this, until - System.nanoTime());
        }
        if (!running) {
            return;
        }
        reopens++;
        try {
            source.open();
            log.info("source {} reopened", description);
        } catch (SourceException | RuntimeException e) {
            lastError = e.getMessage();
        }
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public CaptureStats stats() {
        return new CaptureStats(online, sequence, lastGrabNanos, reopens, lastError);
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
