package io.mjpegserver.server.stream;

/**
 * When each of a client's recent writes went out, by their end offsets in the client's byte stream, so the
 * age of the oldest write its socket has not wholly taken can be told from one number: the bytes still
 * pending. No allocation: a small ring of offsets and times. The water marks keep at most two or three
 * writes pending; should more pile up, the newest entries merge (their age is then the older one's, which
 * errs towards closing a client that is that far behind anyway). Confined to the session's event loop.
 */
final class PartClock {

    private static final int SLOTS = 16;

    private final long[] ends = new long[SLOTS];
    private final long[] times = new long[SLOTS];
    private int head;
    private int size;
    /** Bytes written since the session began. */
    private long written;

    /** Notes a write of {@code bytes} at {@code nanoTime}. */
    void written(int bytes, long nanoTime) {
        written += bytes;
        if (size == SLOTS) {
            ends[(head + size - 1) % SLOTS] = written;
            return;
        }
        int slot = (head + size) % SLOTS;
        ends[slot] = written;
        times[slot] = nanoTime;
        size++;
    }

    /**
     * Notes a write of {@code bytes} at {@code nanoTime}, made when the client had taken every write before it:
     * those are forgotten, without asking how many bytes are pending.
     */
    void writtenAfterAllTaken(int bytes, long nanoTime) {
        size = 0;
        written(bytes, nanoTime);
    }

    /**
     * How long ago the oldest write not yet wholly taken was made, given {@code pending} bytes still queued in
     * user space; 0 when everything was taken.
     */
    long oldestUntakenAge(long pending, long nanoTime) {
        long taken = written - pending;
        while (size > 0 && ends[head] <= taken) {
            head = (head + 1) % SLOTS;
            size--;
        }
        return size == 0 ? 0 : nanoTime - times[head];
    }
}
