package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad requests cost a line of log at most, at debug: 2,000 bad percent-escapes before auth (each was a 30-line
 * stack trace and no answer, 5 MB of log) get 400 each, and the log at the default level stays as it was.
 */
class QuietRejectsTest {

    @TempDir
    Path dir;

    @Test
    void twoThousandBadEscapesGet400AndNoLog() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "/healthz", "--test-pattern", "--size", "320x240",
                "--auth", "viewer:s3cret")) {
            int port = server.port();
            long before = Files.size(dir.resolve("server.err"));
            List<String> targets = List.of("/%zz", "/?action=%zz", "/stream%");
            for (int i = 0; i < 2000; i++) {
                assertEquals("HTTP/1.1 400 Bad Request", statusLine(port, targets.get(i % targets.size())));
            }
            long grown = Files.size(dir.resolve("server.err")) - before;
            System.out.printf("bad escapes: 2000 answered 400, log grew %d bytes%n", grown);
            assertTrue(grown < 1024, "the log grew " + grown + " bytes:\n" + Files.readString(dir.resolve("server.err")));
        }
    }

    private static String statusLine(int port, String target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r'; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }
}
