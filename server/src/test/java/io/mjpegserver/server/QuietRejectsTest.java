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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad requests cost a line of log at most, at debug: 2,000 bad percent-escapes before auth (each was a 30-line
 * stack trace and no answer, 5 MB of log) get 400 each, and the log at the default level stays as it was. So do
 * HTTP/2 connections their clients reset (each was a warning and a stack trace from Netty's pipeline tail).
 */
class QuietRejectsTest {

    private static final String GUARD = "io.mjpegserver.server.http.Http2ConnectionGuard";
    private static final String GUARD_LINE = "closing HTTP/2 connection";

    @TempDir
    Path dir;

    @Test
    void twoThousandBadEscapesGet400AndNoLog() throws Exception {
        // 2000 connections as fast as they go, from one address: no limit on their rate, which would cut them.
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "/healthz", "--test-pattern", "--size", "320x240",
                "--auth", "viewer:s3cret", "--max-connection-rate", "0")) {
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

    @Test
    void http2ConnectionsResetByTheirClientsLeaveNoLog() throws Exception {
        // The guard's own debug line says when the server has seen each reset; nothing else is at debug.
        String guardAtDebug = "-Dorg.slf4j.simpleLogger.log." + GUARD + "=debug";
        try (ServerProcess server = ServerProcess.start(dir, List.of(guardAtDebug), "/healthz", "--test-pattern",
                "--size", "320x240")) {
            int port = server.port();
            Path log = dir.resolve("server.err");
            long before = Files.size(log);
            byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
            // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
            byte[] settings = {0, 0, 0, 4, 0, 0, 0, 0, 0};
            int resets = 20;
            for (int i = 0; i < resets; i++) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    socket.setSoTimeout(5_000);
                    socket.getOutputStream().write(preface);
                    socket.getOutputStream().write(settings);
                    // The server's frames up to its SETTINGS ack: the connection is HTTP/2 and the server has
                    // nothing left to write, so it meets the reset when it reads.
                    awaitSettingsAck(socket.getInputStream());
                    // Closed with a reset, as a killed client's socket is.
                    socket.setSoLinger(true, 0);
                }
            }
            // Until the server has said what it did with every reset (or warned once), 20 s at most.
            List<String> lines = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                lines = newLines(log, before);
                if (lines.stream().filter(l -> l.contains(GUARD_LINE)).count() >= resets
                        || lines.stream().anyMatch(l -> l.contains("WARN"))) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            System.out.printf("HTTP/2 resets: %d, log lines after them: %d%n", resets, lines.size());
            List<String> others = lines.stream().filter(l -> !l.contains(GUARD_LINE)).toList();
            assertTrue(others.isEmpty(), "only the guard's debug lines:\n" + String.join("\n", lines));
            assertEquals(resets, lines.size(), "one debug line per reset:\n" + String.join("\n", lines));
        }
    }

    @Test
    void wrongCredentialsAreOneInfoLinePerAddressAndNoneAreNotLogged() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "/healthz", "--test-pattern", "--size", "320x240",
                "--auth", "viewer:s3cret")) {
            int port = server.port();
            Path log = dir.resolve("server.err");
            long before = Files.size(log);
            String wrong = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                    "viewer:guess".getBytes(US_ASCII)) + "\r\n";
            for (int i = 0; i < 5; i++) {
                assertEquals("HTTP/1.1 401 Unauthorized", statusLine(port, "/stream", wrong));
                assertEquals("HTTP/1.1 401 Unauthorized", statusLine(port, "/snapshot", ""));
            }
            // The answers have gone out, so their lines have been written: the log is read once.
            List<String> lines = newLines(log, before);
            List<String> rejected = lines.stream().filter(l -> l.contains("rejected credentials")).toList();
            assertEquals(1, rejected.size(), String.join("\n", lines));
            assertTrue(rejected.get(0).contains("[INFO] RejectedCredentials - rejected credentials from 127.0.0.1 for"
                    + " GET /stream (401)"), rejected.get(0));
            assertEquals(List.of(), lines.stream().filter(l -> !l.contains("rejected credentials")).toList(),
                    "requests without credentials are not logged at info");
            assertTrue(!lines.get(0).contains("guess") && !lines.get(0).contains("s3cret"), lines.get(0));
        }
    }

    /** Reads HTTP/2 frames until a SETTINGS frame with the ACK flag. */
    private static void awaitSettingsAck(InputStream in) throws IOException {
        for (int frames = 0; frames < 10; frames++) {
            byte[] header = in.readNBytes(9);
            assertEquals(9, header.length, "a frame header");
            int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
            assertEquals(length, in.readNBytes(length).length, "a frame's payload");
            if (header[3] == 4 && (header[4] & 1) != 0) {
                return;
            }
        }
        throw new AssertionError("no SETTINGS ack in 10 frames");
    }

    private static List<String> newLines(Path log, long from) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) from, all.length - (int) from, US_ASCII).lines().toList();
    }

    private static String statusLine(int port, String target) throws IOException {
        return statusLine(port, target, "");
    }

    /** The status line of a GET of {@code target} with {@code headers} (each line ending in CRLF) added. */
    private static String statusLine(int port, String target, String headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n")
                    .getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r'; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }
}
