package io.mjpegserver.server.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's real nginx or HAProxy as a child process, running the configuration committed in {@code deploy/} with
 * only its addresses and paths replaced: the listening port, the three edges' addresses, and where nginx keeps
 * its pid, log and temporary files. A replacement that does not find its text fails the test, so the committed
 * file and the tested one cannot drift apart.
 */
final class Balancer implements AutoCloseable {

    /** The balancers, each with its committed file. */
    enum Kind {
        NGINX("deploy/nginx/nginx.conf", "nginx.conf"),
        HAPROXY("deploy/haproxy/haproxy.cfg", "haproxy.cfg");

        final String committed;
        final String fileName;

        Kind(String committed, String fileName) {
            this.committed = committed;
            this.fileName = fileName;
        }
    }

    /** The edges' addresses in the committed files, in order. */
    static final List<String> EDGE_ADDRESSES = List.of("10.0.0.11:8080", "10.0.0.12:8080", "10.0.0.13:8080");

    private final Kind kind;
    private final ChildProcess process;
    private final int port;
    private final List<Integer> edgePorts;

    private Balancer(Kind kind, ChildProcess process, int port, List<Integer> edgePorts) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.edgePorts = edgePorts;
    }

    /** Starts {@code kind} on 127.0.0.1:{@code port} in front of the edges; returns once its {@code /healthz} is 200. */
    static Balancer start(Kind kind, Path dir, int port, List<Integer> edgePorts) throws IOException, InterruptedException {
        Path repository = Path.of(System.getProperty("user.dir")).getParent();
        String text = Files.readString(repository.resolve(kind.committed));
        for (int i = 0; i < EDGE_ADDRESSES.size(); i++) {
            text = replace(text, EDGE_ADDRESSES.get(i), "127.0.0.1:" + edgePorts.get(i));
        }
        String prefix = dir.toAbsolutePath() + "/";
        List<String> command = new ArrayList<>();
        if (kind == Kind.NGINX) {
            text = replace(text, "listen 80;", "listen 127.0.0.1:" + port + ";");
            // The test runs as whoever runs it, in a directory of its own.
            text = replace(text, "user www-data;\n", "");
            text = replace(text, "/run/", prefix);
            text = replace(text, "/var/log/nginx/", prefix);
            text = replace(text, "/var/lib/nginx/", prefix);
            command.addAll(List.of(program("nginx", "nginx").toString(), "-p", prefix, "-c", prefix + kind.fileName,
                    "-g", "daemon off;"));
        } else {
            text = replace(text, "bind :80", "bind 127.0.0.1:" + port);
            command.addAll(List.of(program("haproxy", "haproxy").toString(), "-f", prefix + kind.fileName, "-db"));
        }
        Files.writeString(dir.resolve(kind.fileName), text);
        Balancer balancer = new Balancer(kind, ChildProcess.start(dir, kind.name().toLowerCase(), command), port, edgePorts);
        boolean up = Http.eventually(Duration.ofSeconds(20), () -> balancer.answers() || !balancer.process.isAlive());
        if (!up || !balancer.process.isAlive()) {
            balancer.close();
            throw new AssertionError(kind + " did not start: see " + dir);
        }
        return balancer;
    }

    private static String replace(String text, String what, String with) {
        assertTrue(text.contains(what), "the committed configuration no longer has '" + what + "'");
        return text.replace(what, with);
    }

    /** nginx and HAProxy live in /usr/sbin, which an unprivileged account's PATH may lack. */
    private static Path program(String name, String debianPackage) {
        Path sbin = Path.of("/usr/sbin", name);
        return Files.isExecutable(sbin) ? sbin : Programs.require(name, debianPackage);
    }

    private boolean answers() {
        try {
            return Http.get("http://127.0.0.1:" + port + "/healthz").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    int port() {
        return port;
    }

    Kind kind() {
        return kind;
    }

    /**
     * The edge (its index) an {@code X-Served-By} value names: nginx gives the address of each edge it tried
     * ({@code 127.0.0.1:P1, 127.0.0.1:P2}; the last one answered), HAProxy the server's name ({@code edge2}).
     */
    int edgeOf(String servedBy) {
        if (servedBy == null) {
            return -1;
        }
        String last = servedBy.substring(servedBy.lastIndexOf(',') + 1).strip();
        if (kind == Kind.HAPROXY) {
            return last.matches("edge[1-9]") ? last.charAt(4) - '1' : -1;
        }
        return edgePorts.indexOf(Integer.parseInt(last.substring(last.lastIndexOf(':') + 1)));
    }

    @Override
    public void close() {
        process.close();
    }
}
