package io.mjpegserver.server.deploy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the origin captured each frame, by the frame's bytes. An edge relays the origin's JPEGs unchanged but stamps
 * its own {@code X-Timestamp} (when the frame reached it), so a viewer of an edge cannot read the origin's capture
 * time from the part; it can find its frame here, as the origin's own viewers saw it, by a key made of the JPEG's
 * length and its last bytes before {@code FF D9}.
 */
final class OriginFrameTimes {

    private final Map<Long, Long> captureMicros = new ConcurrentHashMap<>();

    /** A frame's key: its length and a hash of the 16 bytes before its end marker. */
    static long key(long length, byte[] tail) {
        long hash = 1125899906842597L;
        for (byte b : tail) {
            hash = 31 * hash + b;
        }
        return (length << 40) ^ (hash & 0xFF_FFFF_FFFFL);
    }

    void captured(long key, long micros) {
        captureMicros.putIfAbsent(key, micros);
    }

    /** The origin's capture time of the frame {@code key}, or -1 if its viewers never saw it. */
    long capturedAt(long key) {
        return captureMicros.getOrDefault(key, -1L);
    }
}
