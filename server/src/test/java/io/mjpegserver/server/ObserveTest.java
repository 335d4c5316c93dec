package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.StreamClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * /state, /metrics and /healthz on the real server, while a client streams. Each test has a server of its own:
 * the client counts it asserts cannot depend on what another test left connected.
 */
class ObserveTest {

    /** A check made on a server. */
    private interface Check {
        void on(ServerFixture server) throws Exception;
    }

    private static void onAServerOfItsOwn(Check check) throws Exception {
        try (ServerFixture server = ServerFixture.testPattern(320, 240, 30)) {
            check.on(server);
        }
    }

    /**
     * GETs {@code path} once a client of {@code streamPath} over HTTP/{@code version} has read {@code frames}
     * frames, while it is still connected; the answer is a 200. The client is closed on return.
     */
    private static HttpResponse<String> getWhileStreaming(ServerFixture server, String streamPath, String version,
            int frames, String path) throws Exception {
        try (StreamClient client = StreamClient.open(server.port(), streamPath, version)) {
            for (int i = 0; i < frames; i++) {
                client.next();
            }
            HttpResponse<String> response = Http.getText(server.url(path));
            assertEquals(200, response.statusCode());
            return response;
        }
    }

    @Test
    void stateDescribesSourceRingAndEveryClient() throws Exception {
        onAServerOfItsOwn(ObserveTest::stateDescribesSourceRingAndEveryClient);
    }

    private static void stateDescribesSourceRingAndEveryClient(ServerFixture server) throws Exception {
        HttpResponse<String> response = getWhileStreaming(server, "/stream.mjpg", "1.1", 20, "/state");
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
        JsonNode state = new ObjectMapper().readTree(response.body());
        JsonNode source = state.get("source");
        assertEquals("test-pattern", source.get("kind").asText());
        assertTrue(source.get("online").asBoolean());
        assertEquals("320x240", source.get("configuredSize").asText());
        assertEquals(30.0, source.get("configuredFps").asDouble());
        assertEquals(320, source.get("width").asInt());
        assertTrue(source.get("actualFps").asDouble() > 0, source.toString());
        assertTrue(source.get("lastEncodeMillis").asDouble() > 0, source.toString());
        assertTrue(state.get("ring").get("occupancy").asInt() <= state.get("ring").get("capacity").asInt());
        assertEquals("epoll".equals(server.server().transport()) ? "epoll" : "nio", state.get("server").get("transport").asText());
        JsonNode clients = state.get("clients");
        assertEquals(1, clients.size());
        JsonNode me = clients.get(0);
        assertEquals("/stream.mjpg", me.get("path").asText());
        assertTrue(me.get("remote").asText().contains("127.0.0.1"));
        assertTrue(me.get("framesSent").asLong() >= 20);
        assertTrue(me.get("bytesSent").asLong() > 0);
        assertTrue(me.has("framesSkipped") && me.has("fps") && me.has("connectedSince"));
        assertTrue(Http.eventually(Duration.ofSeconds(10), () -> clientsInState(server) == 0),
                "a closed client leaves /state");
    }

    private static int clientsInState(ServerFixture server) {
        try {
            return new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("clients").size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metricsCountFramesClientsAndTimes() throws Exception {
        onAServerOfItsOwn(ObserveTest::metricsCountFramesClientsAndTimes);
    }

    private static void metricsCountFramesClientsAndTimes(ServerFixture server) throws Exception {
        HttpResponse<String> response = getWhileStreaming(server, "/stream", "1.0", 10, "/metrics");
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = response.body();
        assertTrue(value(text, "mjpeg_frames_captured_total{feed=\"default\"}") >= 10, text);
        assertTrue(value(text, "mjpeg_frames_encoded_total{feed=\"default\"}") >= 10, text);
        assertTrue(value(text, "mjpeg_frames_sent_total{feed=\"default\"}") >= 10, text);
        assertTrue(value(text, "mjpeg_sent_bytes_total{feed=\"default\"}") > 0, text);
        assertEquals(1.0, value(text, "mjpeg_clients{endpoint=\"/stream\",feed=\"default\"}"), text);
        assertEquals(1.0, value(text, "mjpeg_source_up{feed=\"default\"}"), text);
        assertTrue(value(text, "mjpeg_capture_seconds_count{feed=\"default\"}") >= 10, text);
        assertTrue(value(text, "mjpeg_encode_seconds_count{feed=\"default\"}") >= 10, text);
        assertTrue(text.contains("mjpeg_connection_rejects_total{reason=\"max_clients\"}"), text);
        assertTrue(text.contains("mjpeg_source_reconnects_total{feed=\"default\"} 0"), text);
        assertTrue(Http.eventually(Duration.ofSeconds(10), () -> streamClientsInMetrics(server) == 0.0),
                "a closed client is no longer counted");
    }

    private static double streamClientsInMetrics(ServerFixture server) {
        try {
            return value(Http.getText(server.url("/metrics")).body(), "mjpeg_clients{endpoint=\"/stream\",feed=\"default\"}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void healthzIsOkWhileFramesArrive() throws Exception {
        onAServerOfItsOwn(server -> {
            // The second frame: the capture thread counts a frame in its figures just after publishing it, so only
            // once the next one is published are the first one's figures surely there for /healthz to read.
            assertTrue(Http.eventually(Duration.ofSeconds(10), () -> server.server().ring().published() > 1));
            HttpResponse<String> response = Http.getText(server.url("/healthz"));
            assertEquals(200, response.statusCode());
            assertEquals("ok\n", response.body());
        });
    }

    /** The same checks one after the other on one server, in both orders: neither leaves anything behind. */
    @Test
    void theChecksHoldInEitherOrderOnOneServer() throws Exception {
        onAServerOfItsOwn(server -> {
            metricsCountFramesClientsAndTimes(server);
            stateDescribesSourceRingAndEveryClient(server);
            metricsCountFramesClientsAndTimes(server);
        });
    }

    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(exposition);
        if (!m.find()) {
            throw new AssertionError("no " + series + " in:\n" + exposition);
        }
        return Double.parseDouble(m.group(1));
    }
}
