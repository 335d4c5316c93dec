package io.mjpegserver.server.testing;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;

/** A pooled allocator without thread caches, so its arenas count exactly what is live. */
public final class Pools {

    private Pools() {
    }

    /** Buffers released go straight back to the arena: active figures fall back when they are released. */
    public static PooledByteBufAllocator uncached() {
        return new PooledByteBufAllocator(true, 2, 2, 8192, 9, 0, 0, false);
    }

    public static long activeAllocations(PooledByteBufAllocator alloc) {
        long active = 0;
        for (PoolArenaMetric arena : alloc.metric().directArenas()) {
            active += arena.numActiveAllocations();
        }
        for (PoolArenaMetric arena : alloc.metric().heapArenas()) {
            active += arena.numActiveAllocations();
        }
        return active;
    }

    /** Direct memory the pool holds from the OS: whole chunks, so it moves in steps of the chunk size. */
    public static long directMemory(PooledByteBufAllocator alloc) {
        return alloc.metric().usedDirectMemory();
    }
}
