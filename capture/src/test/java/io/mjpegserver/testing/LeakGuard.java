package io.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns every Netty {@code LEAK:} report into a test failure. Registered for every test class of every
 * module through JUnit's extension auto-detection (see the parent pom), so it installs its recording
 * detector factory before the first buffer class is initialised. After each test class it collects garbage,
 * drives the detectors with fresh allocations, and fails the class if any leak was reported.
 */
public final class LeakGuard implements AfterAllCallback {

    private static final List<String> leaks = new ArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> found = collect();
        if (!found.isEmpty()) {
            fail("LEAK: " + found.size() + " leak report(s) after " + context.getDisplayName() + ":\n"
                    + String.join("\n", found));
        }
    }

    /** Runs the collector and the detectors until reports stop coming, then returns and clears them. */
    public static List<String> collect() {
        for (int round = 0; round < 4; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                // Each allocation under PARANOID polls the detector's reference queue.
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                unpooled.release();
            }
        }
        synchronized (leaks) {
            List<String> found = new ArrayList<>(leaks);
            leaks.clear();
            return found;
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK: " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }

        private static void record(String report) {
            synchronized (leaks) {
                leaks.add(report);
            }
        }
    }
}
