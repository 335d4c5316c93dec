package io.mjpegserver.server.interop;

import io.mjpegserver.server.testing.TestPatternServer;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ChildProcess;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's curl against the stream: HTTP/1.0 (no chunking, the body starts with the delimiter, the server lets
 * go when curl does), HTTP/1.1 (chunked, each part checked through the chunk framing), HEAD (headers only, the
 * connection stays usable) and a {@code Range} request (ignored: 200 and the whole stream).
 */
class CurlInteropTest {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final Duration LIMIT = Duration.ofSeconds(20);
    /** curl's own --max-time for a stream: it never ends by itself. */
    private static final String STREAM_SECONDS = "2";
    private static final String DELIMITER = "--" + ServerFixture.BOUNDARY + "\r\n";
    private static final String CONTENT_TYPE = "multipart/x-mixed-replace;boundary=" + ServerFixture.BOUNDARY;

    @RegisterExtension
    static final TestPatternServer fixture = new TestPatternServer(WIDTH, HEIGHT, 30);
    private Path curl;

    @TempDir
    Path dir;

    /** Per test, not per class: a skip from @BeforeAll would not show in Maven's report. */
    @BeforeEach
    void requireCurl() {
        curl = Programs.require("curl", "curl");
    }

    /** Every curl has ended by now, so the server must have let go of every stream. */
    @AfterEach
    void noStreamLeftOpen() {
        StreamClients.awaitCount(fixture.server(), 0, Duration.ofSeconds(5));
    }

    @Test
    void http10GetsNoChunkingAndTheServerLetsGoWhenCurlEnds() throws Exception {
        Path out = dir.resolve("http10.bin");
        try (ChildProcess run = ChildProcess.start(dir, "curl", List.of(curl.toString(), "--http1.0", "-sS", "-N",
                "-i", "--max-time", STREAM_SECONDS, "-o", out.toString(), fixture.url("/stream")))) {
            StreamClients.awaitCount(fixture.server(), 1, Duration.ofSeconds(10));
            // curl ends at --max-time (status 28) and closes its connection: the session must go with it.
            assertEquals(28, run.await(LIMIT).exitCode(), "curl's status after --max-time");
            StreamClients.awaitCount(fixture.server(), 0, Duration.ofSeconds(5));
        }

        byte[] bytes = Files.readAllBytes(out);
        String head = head(bytes);
        assertTrue(head.startsWith("HTTP/1.0 200 OK\r\n"), () -> "response head:\n" + head);
        assertFalse(head.toLowerCase().contains("transfer-encoding"), () -> "HTTP/1.0 response head:\n" + head);
        assertTrue(head.toLowerCase().contains("\r\nconnection: close\r\n"), () -> "HTTP/1.0 response head:\n" + head);
        assertEquals(DELIMITER, new String(bytes, head.length(), DELIMITER.length(), ISO_8859_1),
                "the first bytes of the body");
        assertFramesDecode(bytes, false);
    }

    @Test
    void http11IsChunked() throws Exception {
        Path out = dir.resolve("http11.bin");
        // --raw keeps the chunk framing, so the strict reader checks it too.
        ChildProcess.Outcome run = ChildProcess.run(dir, "curl", LIMIT, List.of(curl.toString(), "-sS", "-i",
                "--raw", "--max-time", STREAM_SECONDS, "-o", out.toString(), fixture.url("/stream"))).assertExit(28);

        byte[] bytes = Files.readAllBytes(out);
        String head = head(bytes);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), () -> "response head:\n" + head + run.describe());
        assertTrue(head.toLowerCase().contains("\r\ntransfer-encoding: chunked\r\n"), () -> "response head:\n" + head);
        assertFramesDecode(bytes, true);
    }

    /**
     * HEAD gets the stream's headers and nothing after them: curl then sends a second request on the same
     * connection ({@code --next} reuses it, {@code num_connects} 0), which would fail on stray body bytes.
     */
    @Test
    void headGetsHeadersOnlyAndTheConnectionStaysUsable() throws Exception {
        Path snapshot = dir.resolve("snapshot.jpg");
        ChildProcess.Outcome run = ChildProcess.run(dir, "curl", LIMIT, List.of(curl.toString(), "-sS",
                "--max-time", "10", "-I", fixture.url("/stream"),
                "--next", "-sS", "--max-time", "10", "-o", snapshot.toString(),
                "-w", "next: %{http_code} %{num_connects} %{content_type}\\n", fixture.url("/snapshot"))).assertExit(0);

        String out = run.out();
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), () -> "curl -I printed:\n" + out);
        assertTrue(out.contains("\r\nContent-Type: " + CONTENT_TYPE + "\r\n"), () -> "curl -I printed:\n" + out);
        assertTrue(out.contains("\nnext: 200 0 image/jpeg\n"),
                () -> "the request after HEAD did not reuse the connection for a clean 200:\n" + out + run.describe());
        BufferedImage image = ImageIO.read(snapshot.toFile());
        assertNotNull(image, "the snapshot after HEAD is not a JPEG");
        TestPatternPixels.assertBars(image);
    }

    @Test
    void headOverHttp10EndsAtOnce() throws Exception {
        ChildProcess.Outcome run = ChildProcess.run(dir, "curl", LIMIT, List.of(curl.toString(), "--http1.0", "-sS",
                "--max-time", "10", "-I", fixture.url("/stream"))).assertExit(0);

        assertTrue(run.out().startsWith("HTTP/1.0 200 OK\r\n"), () -> "curl -I printed:\n" + run.out());
        assertTrue(run.out().contains("\r\nContent-Type: " + CONTENT_TYPE + "\r\n"),
                () -> "curl -I printed:\n" + run.out());
    }

    /** ffmpeg sends {@code Range: bytes=0-} as a matter of course: a live stream answers 200, never 206 or 416. */
    @Test
    void rangeRequestIsIgnoredWith200() throws Exception {
        Path out = dir.resolve("range.bin");
        ChildProcess.Outcome run = ChildProcess.run(dir, "curl", LIMIT, List.of(curl.toString(), "-sS", "-v", "-i",
                "--raw", "-r", "0-", "--max-time", STREAM_SECONDS, "-o", out.toString(), fixture.url("/stream")))
                .assertExit(28);

        assertTrue(run.err().contains("> Range: bytes=0-"),
                () -> "curl did not send the Range header\n" + run.describe());
        byte[] bytes = Files.readAllBytes(out);
        String head = head(bytes);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), () -> "response head:\n" + head);
        assertFalse(head.toLowerCase().contains("content-range"), () -> "response head:\n" + head);
        assertFramesDecode(bytes, true);
    }

    /** The response head of a {@code curl -i} output, up to and including the blank line. */
    private static String head(byte[] bytes) {
        String text = new String(bytes, ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        assertTrue(end > 0, () -> "no complete response head in " + bytes.length + " bytes from curl");
        return text.substring(0, end + 4);
    }

    /** Parses {@code curl -i} output strictly and decodes its first parts (the last may be cut off by curl). */
    private static void assertFramesDecode(byte[] bytes, boolean chunked) throws IOException {
        MultipartStreamReader reader = new MultipartStreamReader(new ByteArrayInputStream(bytes));
        assertEquals(chunked, reader.chunked(), "chunked");
        assertEquals(ServerFixture.BOUNDARY, reader.boundary());
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MultipartStreamReader.Part part = reader.next();
            TestPatternPixels.assertFrame(part.body(), WIDTH, HEIGHT, "part " + i);
            sequences.add(part.sequence());
        }
        for (int i = 1; i < sequences.size(); i++) {
            assertTrue(sequences.get(i) >= sequences.get(i - 1), () -> "X-Frame-Sequence goes back: " + sequences);
        }
    }
}
