package io.mjpegserver.server.cli;

import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop, so the server can end its streams, release its buffers and exit
 * 0, as systemd and Docker expect of a clean stop. (A shutdown hook alone would exit 143.)
 */
final class Signals {

    private Signals() {
    }

    static void onTerminate(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    LoggerFactory.getLogger(Signals.class).info("SIG{}: stopping", name);
                    stop.run();
                });
            } catch (IllegalArgumentException unsupported) {
                // Not on this OS: the shutdown hook still stops the server.
            }
        }
    }
}
