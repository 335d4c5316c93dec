package io.mjpegserver.capture.source;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceSpec;
import java.lang.reflect.Field;
import java.net.URI;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.opencv_core.Scalar;
import sun.misc.Unsafe;

/**
 * Run in a JVM of its own by {@link NativesTest}, where nothing has touched JavaCPP yet. With {@code preload}: starts
 * the preload and, at once, does on this thread what the test pattern's first frame does (an OpenCV value), as a
 * server's start does. With {@code create}: creates an RTSP source, which opens on a capture thread of its own.
 * Prints whether JavaCPP's core was initialised on this thread first, and whether the preload finished.
 */
public final class NativesProbe {

    private NativesProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("create")) {
            FrameSource source = FrameSources.create(CaptureConfig.testPattern()
                    .withSource(new SourceSpec.Url(URI.create("rtsp://127.0.0.1:9/never-opened"))));
            System.out.println("core initialised before the source could open: "
                    + !unsafe().shouldBeInitialized(Pointer.class));
            source.close();
            return;
        }
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
