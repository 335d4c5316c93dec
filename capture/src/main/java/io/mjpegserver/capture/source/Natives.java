package io.mjpegserver.capture.source;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads OpenCV's natives (core, imgproc, imgcodecs, and the OpenBLAS core links) ahead of the first feed: every
 * feed needs them, for its NO SIGNAL frames if not for its own, and loading them is the longest step of a start.
 * On a thread of its own, while the command line is read and the server is set up on another core; a feed that
 * gets there first waits for the load under way (the JVM's class initialisation lock), never loads twice.
 */
public final class Natives {

    private static final Logger log = LoggerFactory.getLogger(Natives.class);

    private Natives() {
    }

    /**
     * Starts loading on a daemon thread, {@code natives-preload}, and returns it. Call once JavaCPP's cache
     * directory is set. A failure here is only logged (debug): the feed that needs the natives reports it.
     */
    public static Thread preloadInBackground() {
        Thread thread = new Thread(Natives::load, "natives-preload");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void load() {
        try {
            // imgcodecs inherits imgproc and core (which links OpenBLAS): one call loads them all.
            Loader.load(opencv_imgcodecs.class);
        } catch (Throwable e) {
            log.debug("preloading OpenCV's natives failed; the first feed will say why", e);
        }
    }
}
