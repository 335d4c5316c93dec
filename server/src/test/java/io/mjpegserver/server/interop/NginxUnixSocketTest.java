package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's nginx in front of the server's unix socket ({@code --unix}), as ustreamer is deployed: {@code proxy_pass
 * http://unix:PATH:} with buffering off. A snapshot and the stream, read through nginx, decode.
 */
class NginxUnixSocketTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;

    @TempDir
    Path dir;

    @Test
    void nginxProxiesSnapshotAndStreamToTheUnixSocket() throws Exception {
        Path nginx = Programs.require("nginx", "nginx");
        Path socket = dir.resolve("mjpeg.sock");
        FeedConfig feed = new FeedConfig(FeedConfig.DEFAULT_NAME, new CaptureConfig(new SourceSpec.TestPattern(),
                new VideoSize(WIDTH, HEIGHT), 30, 80, 4), CaptureOptions.DEFAULTS);
        int port = ServerProcess.freePort();
        // nginx's workers may run as another user: the socket is theirs to connect to (write permission).
        try (MjpegServer server = MjpegServer.start(ServerConfig.builder()
                .socket(new ListenSocket.Unix(socket, PosixFilePermissions.fromString("rw-rw-rw-"))).feeds(List.of(feed)).build());
             ChildProcess proxy = ChildProcess.start(dir, "nginx", List.of(nginx.toString(), "-p", dir.toString(),
                     "-c", writeConfig(port, socket).toString(), "-g", "daemon off;"))) {
            String snapshot = "http://127.0.0.1:" + port + "/snapshot";
            assertTrue(Http.eventually(Duration.ofSeconds(20), () -> Http.status(snapshot) == 200 || !proxy.isAlive()),
                    "nginx answers 200 for a snapshot");
            assertTrue(proxy.isAlive(), () -> "nginx ended: " + read(dir.resolve("nginx.err")) + read(dir.resolve("error.log")));
            assertEquals(WIDTH, Frames.decode(Http.get(snapshot).body()).getWidth());

            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(10_000);
                client.getOutputStream().write(("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(US_ASCII));
                MultipartStreamReader reader = new MultipartStreamReader(client.getInputStream());
                assertEquals("HTTP/1.1 200 OK", reader.statusLine());
                for (int i = 0; i < 5; i++) {
                    assertEquals(HEIGHT, Frames.decode(reader.next().body()).getHeight());
                }
                // nginx's connection, as the server sees it: no IP address, the socket.
                assertEquals(List.of("unix:" + socket), server.streamClients().stream().map(c -> c.remote()).toList());
            }
        }
    }

    private Path writeConfig(int port, Path socket) throws IOException {
        String user = Programs.runningAsRoot() ? "user root;\n" : "";
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, user
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + ";\n"
                + "events { worker_connections 64; }\n"
                + "http {\n"
                + "  access_log off;\n"
                + "  client_body_temp_path " + dir.resolve("body") + ";\n"
                + "  proxy_temp_path " + dir.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
                + "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("scgi") + ";\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + ";\n"
                + "    location / {\n"
                + "      proxy_pass http://unix:" + socket + ":;\n"
                + "      proxy_http_version 1.1;\n"
                + "      proxy_buffering off;\n"
                + "    }\n"
                + "  }\n"
                + "}\n");
        return config;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
