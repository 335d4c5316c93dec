package io.mjpegserver.capture;

import org.slf4j.LoggerFactory;

/**
 * What to do when one of our threads (an event loop, a capture thread) meets an {@link Error}: out of memory,
 * a stack overflow, a linkage error. Such a thread cannot be trusted, and a process that is alive but
 * serves nothing is the worst outcome for a supervisor: so the default ends the process at once with
 * {@link #EXIT_STATUS}, after one log line, and systemd ({@code Restart=on-failure}) starts it again.
 */
@FunctionalInterface
public interface FatalErrorHandler {

    /** The status the process ends with: 70, {@code EX_SOFTWARE} in {@code sysexits.h}. */
    int EXIT_STATUS = 70;

    /**
     * Logs one line naming {@code where} and the error, then halts the JVM: no shutdown hook runs, since one
     * could hang on the very thread that failed, and the process is gone within the second.
     */
    FatalErrorHandler HALT = (where, error) -> {
        try {
            LoggerFactory.getLogger(FatalErrorHandler.class)
                    .error("fatal {} on {}: exiting with status {} so a supervisor restarts us", error, where, EXIT_STATUS);
        } catch (Throwable logging) {
            // Out of memory even for the log line: exit all the same.
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    };

    /** Called on the thread that met {@code error}; {@code where} names that thread's job. Must not return normally when it ends the process. */
    void fatal(String where, Throwable error);

    /**
     * Hands the {@link Error} in {@code cause}'s chain, if there is one, to {@link #fatal}, naming this thread and
     * its {@code job} ({@code "event loop"}); returns whether there was one. A handler's {@code exceptionCaught}
     * starts with it and stops there when it returns true.
     */
    default boolean fatalIfError(String job, Throwable cause) {
        Error error = errorIn(cause);
        if (error == null) {
            return false;
        }
        fatal(job + " " + Thread.currentThread().getName(), error);
        return true;
    }

    /** The {@link Error} in {@code cause}'s chain (a decoder wraps what it meets), or {@code null} when there is none. */
    static Error errorIn(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof Error error) {
                return error;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** Throws the {@link Error} in {@code cause}'s chain, if any: a decoder wraps what it meets. */
    static void rethrowError(Throwable cause) {
        Error error = errorIn(cause);
        if (error != null) {
            throw error;
        }
    }
}
