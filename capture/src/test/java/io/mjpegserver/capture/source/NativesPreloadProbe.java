package io.mjpegserver.capture.source;

import java.lang.reflect.Field;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.opencv_core.Scalar;
import sun.misc.Unsafe;

/**
 * Run in a JVM of its own by {@link NativesTest}: starts the preload and, at once, does on this thread what the test
 * pattern's first frame does (an OpenCV value), as a server's start does. Prints whether JavaCPP's core was
 * initialised by the time the preload thread started, and whether both threads finished.
 */
public final class NativesPreloadProbe {

    private NativesPreloadProbe() {
    }

    public static void main(String[] args) throws Exception {
        Thread preload = Natives.preloadInBackground();
        boolean coreFirst = !unsafe().shouldBeInitialized(Pointer.class);
        try (Scalar bar = new Scalar(255, 255, 255, 0)) {
            bar.red();
        }
        preload.join(60_000);
        System.out.println("core initialised before the preload thread ran: " + coreFirst);
        System.out.println("preload finished: " + !preload.isAlive());
    }

    private static Unsafe unsafe() throws ReflectiveOperationException {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        return (Unsafe) field.get(null);
    }
}
