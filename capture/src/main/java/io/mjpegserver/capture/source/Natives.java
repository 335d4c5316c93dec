package io.mjpegserver.capture.source;

import io.mjpegserver.capture.SourceSpec;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads OpenCV's natives (about 0.4 s and most of the native memory) on a thread of their own, at start only for
 * a feed that will encode ({@link #mayEncode}), else when first needed. JavaCPP's {@link Pointer} is initialised on
 * the calling thread first: two threads first into JavaCPP at once deadlock (bytedeco/javacpp#737).
 */
public final class Natives {

    private static final Logger log = LoggerFactory.getLogger(Natives.class);
    private static final AtomicReference<Thread> loader = new AtomicReference<>();
    private static volatile boolean loaded;

    private Natives() {
    }

    /**
     * Whether a feed of {@code source} will encode, and so should have the natives preloaded from the start: the
     * test pattern and an RTSP stream do; an HTTP relay never does; a camera or a file does only if it delivers no
     * MJPEG at the size asked for, known once FFmpeg has opened it (a camera that refuses MJPEG starts the load
     * before it opens again without; a file's first frame waits for it).
     */
    public static boolean mayEncode(SourceSpec source) {
        return source instanceof SourceSpec.TestPattern || source instanceof SourceSpec.Url url && url.rtsp();
    }

    /**
     * Starts loading on a daemon thread, {@code natives-preload}, unless a call before did; returns that thread.
     * Call once JavaCPP's cache directory is set. JavaCPP's core is initialised on the calling thread before that
     * thread starts (see above). A failure here is only logged (debug): what needs the natives reports it.
     */
    public static Thread preloadInBackground() {
        Thread started = loader.get();
        if (started != null) {
            return started;
        }
        initialiseCore();
        Thread thread = new Thread(Natives::load, "natives-preload");
        thread.setDaemon(true);
        if (!loader.compareAndSet(null, thread)) {
            return loader.get();
        }
        thread.start();
        return thread;
    }

    /**
     * Whether a {@link #preloadInBackground() preload} has finished, loaded or failed: what needs the natives then
     * gets them (or the failure) at once, without waiting.
     */
    public static boolean loaded() {
        return loaded;
    }

    /**
     * Initialises JavaCPP's {@link Pointer} on this thread, unless it is already: a no-op after the first call. Every
     * way into the natives calls it before a thread of its own can touch them: this preload, and
     * {@link FrameSources#create} (a remote or on-demand source opens on its capture thread, beside other feeds').
     */
    static void initialiseCore() {
        try {
            Class.forName(Pointer.class.getName(), true, Pointer.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            log.debug("initialising JavaCPP failed; what needs the natives will say why", e);
        }
    }

    private static void load() {
        try {
            // imgcodecs inherits imgproc and core (which links OpenBLAS): one call loads them all.
            Loader.load(opencv_imgcodecs.class);
        } catch (Throwable e) {
            log.debug("preloading OpenCV's natives failed; what needs them will say why", e);
        } finally {
            loaded = true;
        }
    }
}
