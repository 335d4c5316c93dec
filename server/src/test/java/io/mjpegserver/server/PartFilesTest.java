package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * On the epoll transport, plain HTTP clients are sent each part by sendfile from an unlinked tmpfs file written once
 * per frame: the parts are whole for both framings, and every such file is closed once the server stops.
 */
class PartFilesTest {

    private static final String PART_FILE = "/dev/shm/mjpeg-part-" + ProcessHandle.current().pid() + "-";

    @Test
    void plainClientsAreSentPartsFromTmpfsFilesAndNoFileOutlivesTheServer() throws Exception {
        try (ServerFixture server = ServerFixture.testPattern(320, 240, 30);
                StreamClient http11 = StreamClient.open(server.port(), "/stream", "1.1");
                StreamClient http10 = StreamClient.open(server.port(), "/stream", "1.0")) {
            assertEquals("epoll", server.server().transport(), "this test needs the epoll transport");
            for (int i = 0; i < 10; i++) {
                assertWholeJpeg(http11.next());
                assertWholeJpeg(http10.next());
            }
            assertTrue(openPartFiles() > 0, "the parts are sent from files: no open " + PART_FILE + "* found");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openPartFiles() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(0, openPartFiles(), "part files still open after the server stopped");
    }

    private static void assertWholeJpeg(MultipartStreamReader.Part part) {
        byte[] jpeg = part.body();
        assertTrue(jpeg.length > 4, "a JPEG");
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        assertEquals((byte) 0xFF, jpeg[jpeg.length - 2]);
        assertEquals((byte) 0xD9, jpeg[jpeg.length - 1]);
    }

    /** This process's descriptors open on a part file (unlinked, so the link reads "... (deleted)"). */
    private static long openPartFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(PART_FILE);
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }
}
