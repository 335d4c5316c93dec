package io.mjpegserver.server.cli;

import io.mjpegserver.server.config.StartupException;
import java.io.IOException;

/**
 * Start failures whose cause the server reports in the kernel's words, said in ours: a port below 1024
 * without the privilege to bind it ({@code bind(..) failed with error(-13): Permission denied}).
 */
final class StartFailures {

    /** Linux's first unprivileged port (net.ipv4.ip_unprivileged_port_start). */
    private static final int FIRST_UNPRIVILEGED_PORT = 1024;

    private StartFailures() {
    }

    static String describe(StartupException e, String host, int port) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException && String.valueOf(cause.getMessage()).contains("Permission denied")) {
            String which = port < FIRST_UNPRIVILEGED_PORT ? "ports below " + FIRST_UNPRIVILEGED_PORT + " need privileges"
                    : "the system refuses this port to this user";
            return "cannot listen on " + host + " port " + port + ": permission denied (" + which + "): choose a --port"
                    + " of " + FIRST_UNPRIVILEGED_PORT + " or above, or grant the capability CAP_NET_BIND_SERVICE"
                    + " (in a systemd unit: AmbientCapabilities=CAP_NET_BIND_SERVICE)";
        }
        return e.getMessage();
    }
}
