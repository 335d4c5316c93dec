package io.mjpegserver.capture.source;

import io.mjpegserver.capture.SourceSpec;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads OpenCV's natives (core, imgproc, imgcodecs, and the OpenBLAS core links) on a thread of their own. They
 * are what encodes and draws frames, and loading them is the longest step of a start (about 0.4 s), but also most
 * of the server's native memory (OpenBLAS alone is about 100 MB of the natives cache): a feed that passes its
 * source's JPEGs through (an MJPEG file or camera, an HTTP relay) needs none of it until it must draw a NO SIGNAL
 * frame. So they are preloaded at start only for a feed that will encode ({@link #mayEncode}), while the server is
 * set up on another core, and otherwise loaded when first needed. A feed that gets there first waits for the
 * load under way (the JVM's class initialisation lock and JavaCPP's loader lock), never loads twice.
 *
 * <p>One thing must be done before that second thread exists: JavaCPP's {@link Pointer} class initialised. Its
 * initialiser takes the loader lock, and a library being loaded under that lock needs {@code Pointer}
 * initialised: if the preload holds the lock while another thread is inside {@code Pointer}'s initialiser, each
 * waits for the other for ever (bytedeco/javacpp#737; seen here as a test-pattern start hung on a fresh natives
 * cache). The same holds for any two threads first into JavaCPP, such as two feeds' capture threads opening
 * FFmpeg. So {@link #preloadInBackground} and {@link FrameSources#create} initialise it on the calling thread
 * first, which costs that thread the load of JavaCPP's own small library, once.
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
