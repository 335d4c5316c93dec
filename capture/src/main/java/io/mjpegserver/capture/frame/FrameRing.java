package io.mjpegserver.capture.frame;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fixed number of the newest frames. The ring owns exactly one reference per slot and releases it when
 * the slot is overwritten or the ring is closed, so the memory frames hold is bounded by the capacity times
 * the largest frame, whatever happens downstream.
 *
 * <p>Thread-safe: one publisher at a time (the capture thread, or its watchdog while the source is down: the
 * capture service serialises them), any thread may read.
 */
public final class FrameRing implements AutoCloseable {

    private final Object lock = new Object();
    private final Frame[] slots;
    private final List<FrameListener> listeners = new CopyOnWriteArrayList<>();
    private long published;
    private boolean closed;

    public FrameRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        slots = new Frame[capacity];
    }

    /**
     * Puts {@code frame} into the ring, evicting (and releasing) the oldest when full, then tells every
     * listener. Takes ownership of the caller's reference: the caller must not release it. A frame
     * published to a closed ring is released at once.
     */
    public void publish(Frame frame) {
        Frame evicted;
        synchronized (lock) {
            if (closed) {
                frame.release();
                return;
            }
            int index = (int) (published % slots.length);
            evicted = slots[index];
            slots[index] = frame;
            published++;
            // Held across the listeners so a concurrent close() cannot free it under them.
            frame.retain();
        }
        try {
            if (evicted != null) {
                evicted.release();
            }
            for (FrameListener listener : listeners) {
                listener.onFrame(frame);
            }
        } finally {
            frame.release();
        }
    }

    /**
     * The newest frame, retained for the caller, who must release it; {@code null} before the first frame
     * and after {@link #close()}.
     */
    public Frame latest() {
        synchronized (lock) {
            if (published == 0 || closed) {
                return null;
            }
            return slots[(int) ((published - 1) % slots.length)].retain();
        }
    }

    /** How many frames were ever published. */
    public long published() {
        synchronized (lock) {
            return published;
        }
    }

    public int capacity() {
        return slots.length;
    }

    /** How many slots hold a frame. */
    public int occupancy() {
        synchronized (lock) {
            return closed ? 0 : (int) Math.min(published, slots.length);
        }
    }

    /** Total JPEG bytes the ring holds now. */
    public long bytes() {
        synchronized (lock) {
            long bytes = 0;
            for (Frame frame : slots) {
                if (frame != null) {
                    bytes += frame.size();
                }
            }
            return bytes;
        }
    }

    public void addListener(FrameListener listener) {
        listeners.add(listener);
    }

    public void removeListener(FrameListener listener) {
        listeners.remove(listener);
    }

    /** Releases every frame; later publishes are released at once. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) {
                    slots[i].release();
                    slots[i] = null;
                }
            }
        }
    }
}
