package io.mjpegserver.server.observe;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/** The direct memory the process has in use, against {@code -XX:MaxDirectMemorySize}. */
public final class DirectMemory {

    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(pool -> pool.getName().equals("direct")).findFirst().orElse(null);

    private DirectMemory() {
    }

    /**
     * Bytes of direct memory in use now: the JDK's direct buffers (what {@code -XX:MaxDirectMemorySize} is checked
     * against, and where Netty's pooled chunks are unless it allocates without the JDK's cleaner), plus Netty's own
     * count when it does; -1 when not known.
     */
    public static long used() {
        long jdk = DIRECT == null ? -1 : DIRECT.getMemoryUsed();
        if (!PlatformDependent.useDirectBufferNoCleaner()) {
            return jdk;
        }
        return Math.max(0, jdk) + Math.max(0, PlatformDependent.usedDirectMemory());
    }
}
