package io.mjpegserver.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A server started over TLS in a JVM of its own, which must say which engine makes its records and serve https. */
public final class HttpsStartup {

    private HttpsStartup() {
    }

    /**
     * Runs {@code java [java...] --test-pattern ...} with a new EC certificate in {@code dir}; its startup line must
     * say {@code TLS by ENGINE}, and curl, trusting that certificate alone, must get a snapshot.
     */
    public static void assertServedBy(Path dir, List<String> java, String engine) throws Exception {
        Certificates.ec(dir, "cert.pem", "key.pem", "127.0.0.1");
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(java);
        command.addAll(List.of("--test-pattern", "--host", "127.0.0.1", "--port", String.valueOf(port), "--size",
                "320x240", "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString()));
        try (ChildProcess server = ChildProcess.start(dir, "server", command)) {
            Path log = dir.resolve("server.err");
            assertTrue(Http.eventually(Duration.ofSeconds(60), () -> read(log).contains(" - serving ") || !server.isAlive()),
                    "a startup line in " + log);
            String err = read(log);
            assertTrue(Pattern.compile("https://127\\.0\\.0\\.1:" + port + "/ \\((epoll|nio) transport, TLS by "
                    + Pattern.quote(engine) + "\\)").matcher(err).find(), err);
            ChildProcess.run(dir, "curl", Duration.ofSeconds(20), List.of(Programs.require("curl", "curl").toString(),
                    "-sS", "-o", "/dev/null", "--cacert", dir.resolve("cert.pem").toString(),
                    "https://127.0.0.1:" + port + "/snapshot")).assertExit(0);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
