package io.mjpegserver.capture.derive;

/** Told of each derived frame, on the worker that made it. Must not block. */
@FunctionalInterface
public interface DeriveObserver {

    /** Tells nothing. */
    DeriveObserver NONE = (latencyNanos, processNanos, bytes) -> { };

    /**
     * @param latencyNanos from the source frame's publish (a wall's tick) to the derived frame's publish
     * @param processNanos the work: decode, transform, encode
     * @param bytes the derived JPEG's length
     */
    void derived(long latencyNanos, long processNanos, int bytes);
}
