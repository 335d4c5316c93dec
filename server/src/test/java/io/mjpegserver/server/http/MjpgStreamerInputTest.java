package io.mjpegserver.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.server.testing.TestPatternServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * mjpg-streamer's multi-input URLs, as NVR presets write them: {@code /?action=stream_0} and
 * {@code /?action=snapshot_0} are input 0, which is our source; no other input exists.
 */
class MjpgStreamerInputTest {

    @RegisterExtension
    static final TestPatternServer server = new TestPatternServer(320, 240, 15);

    @Test
    void streamZeroIsTheStream() throws Exception {
        try (StreamClient client = StreamClient.open(server.port(), "/?action=stream_0", "1.1")) {
            assertEquals("HTTP/1.1 200 OK", client.reader().statusLine());
            assertEquals(ServerFixture.BOUNDARY, client.reader().boundary());
            long first = Frames.frameNumber(client.next().body(), 320, 240);
            long second = Frames.frameNumber(client.next().body(), 320, 240);
            assertTrue(second >= first, first + " then " + second);
        }
    }

    @Test
    void snapshotZeroIsTheSnapshot() throws Exception {
        HttpResponse<byte[]> response = Http.get(server.url("/?action=snapshot_0"));
        assertEquals(200, response.statusCode());
        assertEquals("image/jpeg", response.headers().firstValue("content-type").orElse(""));
        assertEquals(320, Frames.decode(response.body()).getWidth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?action=stream_1", "/?action=snapshot_1", "/?action=stream_", "/?action=stream_00"})
    void otherInputsDoNotExist(String path) throws Exception {
        assertEquals(404, Http.get(server.url(path)).statusCode());
    }
}
