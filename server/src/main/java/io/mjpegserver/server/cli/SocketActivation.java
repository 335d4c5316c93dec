package io.mjpegserver.server.cli;

import io.mjpegserver.server.net.InheritedSockets;
import io.mjpegserver.server.config.ListenSocket;
import java.util.Map;

/**
 * systemd's socket activation, as {@code sd_listen_fds(3)} reads it: when {@code LISTEN_PID} is this process,
 * {@code LISTEN_FDS} sockets start at file descriptor 3. We take exactly one listening stream socket (TCP or unix);
 * anything else is refused in one line. The variables stay set (a JVM cannot unset them), which is harmless: they
 * name this process, and the server starts no programs.
 */
final class SocketActivation {

    /** {@code SD_LISTEN_FDS_START}: the first descriptor systemd passes. */
    static final int FIRST_FD = 3;

    private SocketActivation() {
    }

    /**
     * The socket systemd passed this process, or null when none was (no {@code LISTEN_PID}, or another process's).
     *
     * @throws ConfigException when what was passed is not one listening stream socket
     */
    static ListenSocket.Inherited passed(Map<String, String> environment, long pid) throws ConfigException {
        String listenPid = environment.get("LISTEN_PID");
        String listenFds = environment.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null || !listenPid.strip().equals(Long.toString(pid))) {
            return null;
        }
        int count;
        try {
            count = Integer.parseInt(listenFds.strip());
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count != 1) {
            throw new ConfigException("LISTEN_FDS=" + listenFds + ": systemd passed " + (count < 0 ? "a count that is not a"
                    + " number" : count + " sockets") + " (expected: exactly one, a .socket unit with one ListenStream=)");
        }
        try {
            return InheritedSockets.probe(FIRST_FD, "LISTEN_FDS=1 (fd " + FIRST_FD + ")");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
