package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.HttpsStartup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup line of the real command says what is served and gives URLs a person can open: for a wildcard
 * address {@code localhost} and this machine's addresses (IPv6 in brackets), never {@code http://0.0.0.0:8080/}
 * or {@code http://:::8080/}.
 */
class StartupLineTest {

    private static final Pattern SERVING = Pattern.compile(
            "serving test pattern 320x240 at 30 fps \\(encoded at quality 80\\) on ((?:\\S+ )+)\\((?:epoll|nio) transport\\)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void aWildcardAddressGivesUrlsThatOpen(String host) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--test-pattern", "--host", host,
                "--port", "0", "--size", "320x240");
        try (ChildProcess server = ChildProcess.start(dir, "server", command)) {
            Path log = dir.resolve("server.err");
            assertTrue(Http.eventually(Duration.ofSeconds(30), () -> read(log).contains(" - serving ") || !server.isAlive()),
                    "a startup line");
            String err = read(log);
            Matcher line = SERVING.matcher(err);
            assertTrue(line.find(), err);
            List<String> urls = List.of(line.group(1).strip().split(" "));
            assertTrue(urls.get(0).matches("http://localhost:\\d+/"), urls.toString());
            for (String url : urls) {
                assertFalse(url.contains("0.0.0.0") || url.contains(":::"), url);
                assertEquals(200, Http.get(URI.create(url).resolve("/state").toString()).statusCode(), url);
            }
        }
    }

    static Stream<Arguments> tlsEngines() {
        return Stream.of(Arguments.of(List.of(), "OpenSSL"),
                Arguments.of(List.of("-Dio.netty.handler.ssl.noOpenSsl=true"), "the JDK"));
    }

    /**
     * TLS is made by OpenSSL (the BoringSSL on the class path, as in the jar) unless Netty is told not to load it;
     * then by the JDK's engine. The startup line says which, and either serves https.
     */
    @ParameterizedTest
    @MethodSource("tlsEngines")
    void aTlsServerSaysWhichEngineMakesItsRecords(List<String> jvmOptions, String engine) throws Exception {
        List<String> java = new ArrayList<>(jvmOptions);
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        HttpsStartup.assertServedBy(dir, java, engine);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
