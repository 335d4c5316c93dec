package io.mjpegserver.server.stream;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** How many stream clients may be connected at once, in all and from one address. Thread-safe. */
public final class ClientLimits {

    /** Why a client was turned away; also the {@code reason} label of the rejects metric. */
    public enum Rejection {
        MAX_CLIENTS("max_clients", "the server streams to its maximum number of clients; try again later"),
        MAX_PER_ADDRESS("max_per_address", "too many streams from your address; close one and try again");

        public final String reason;
        public final String message;

        Rejection(String reason, String message) {
            this.reason = reason;
            this.message = message;
        }
    }

    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    /** Streams per address; an address leaves the map with its last stream. Updated only through compute(). */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /** @param max and {@code maxPerAddress}: 0 for no limit */
    public ClientLimits(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Takes a slot for a client from {@code address}: {@code null} when admitted (the caller must
     * {@link #release} it later), or why not (nothing to release).
     */
    public Rejection admit(InetAddress address) {
        if (total.incrementAndGet() > max && max > 0) {
            total.decrementAndGet();
            return Rejection.MAX_CLIENTS;
        }
        if (maxPerAddress > 0) {
            boolean[] admitted = new boolean[1];
            perAddress.compute(address, (a, count) -> {
                int n = count == null ? 0 : count;
                admitted[0] = n < maxPerAddress;
                return admitted[0] ? n + 1 : count;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Rejection.MAX_PER_ADDRESS;
            }
        }
        return null;
    }

    /** Gives back the slot {@link #admit} took. */
    public void release(InetAddress address) {
        total.decrementAndGet();
        if (maxPerAddress > 0) {
            perAddress.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
        }
    }
}
