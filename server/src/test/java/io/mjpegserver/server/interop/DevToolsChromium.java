package io.mjpegserver.server.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * Headless Chromium showing one page, kept running and asked over its DevTools protocol what the page shows
 * now: a script's value, or a screenshot. A test can then change the world (stop a server, start another) and
 * look again, with every wait bounded, instead of guessing how long one headless run should last.
 */
final class DevToolsChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER = Duration.ofSeconds(20);

    private final ChildProcess process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private DevToolsChromium(ChildProcess process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** The flags that let a sandboxed root run Chromium headless, kept off the network, on a fresh profile. */
    static List<String> command(Path chromium, Path profile) {
        return new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile));
    }

    /** Starts Chromium on {@code url} with a {@code width} x {@code height} viewport and connects to the page. */
    static DevToolsChromium open(Path chromium, Path dir, String url, int width, int height) throws Exception {
        return open(chromium, dir, url, width, height, List.of());
    }

    /** As {@link #open(Path, Path, String, int, int)}, with {@code flags} added to Chromium's command line. */
    static DevToolsChromium open(Path chromium, Path dir, String url, int width, int height, List<String> flags)
            throws Exception {
        Path profile = Files.createTempDirectory(dir, "profile");
        List<String> command = command(chromium, profile);
        command.addAll(flags);
        command.addAll(List.of("--remote-debugging-port=0", "--window-size=" + width + "," + height,
                "--force-device-scale-factor=1", "--hide-scrollbars", url));
        ChildProcess process = ChildProcess.start(dir, profile.getFileName().toString(), command);
        try {
            // Chromium writes the port it picked, first line, into the profile.
            Path portFile = profile.resolve("DevToolsActivePort");
            if (!Http.eventually(Duration.ofSeconds(30), () -> isComplete(portFile) || !process.isAlive())
                    || !process.isAlive()) {
                throw new AssertionError("Chromium did not open its DevTools port\n" + process.await(Duration.ZERO).describe());
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            String target = pageTarget(port);
            Listener listener = new Listener();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(target), listener)
                    .get(20, TimeUnit.SECONDS);
            DevToolsChromium browser = new DevToolsChromium(process, socket);
            listener.browser = browser;
            // Headless Chromium keeps room for a window frame it does not draw: set the viewport itself.
            browser.call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width)
                    .put("height", height).put("deviceScaleFactor", 1).put("mobile", false));
            return browser;
        } catch (Exception | Error e) {
            process.close();
            throw e;
        }
    }

    private static boolean isComplete(Path portFile) {
        try {
            return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
        } catch (IOException e) {
            return false;
        }
    }

    /** The WebSocket address of the page (not the browser), which is where Runtime and Page live. */
    private static String pageTarget(int port) throws Exception {
        String[] found = {null};
        boolean ok = Http.eventually(Duration.ofSeconds(20), () -> {
            try {
                JsonNode targets = JSON.readTree(Http.getText("http://127.0.0.1:" + port + "/json/list").body());
                for (JsonNode target : targets) {
                    if ("page".equals(target.path("type").asText())) {
                        found[0] = target.path("webSocketDebuggerUrl").asText();
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        });
        if (!ok || found[0] == null) {
            throw new AssertionError("Chromium on DevTools port " + port + " lists no page");
        }
        return found[0];
    }

    /** Evaluates {@code expression} in the page (awaiting a promise) and returns its value as JSON. */
    JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = JSON.createObjectNode()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new AssertionError("the page threw on " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * Evaluates {@code expression} until it is true or {@code timeout} passes; returns whether it became true.
     * Until the page has loaded its elements are missing: an expression that throws counts as false.
     */
    boolean until(Duration timeout, String expression) throws InterruptedException {
        String guarded = "(() => { try { return !!(" + expression + "); } catch (e) { return false; } })()";
        return Http.eventually(timeout, () -> {
            try {
                return evaluate(guarded).asBoolean(false);
            } catch (Exception e) {
                throw new IllegalStateException("asking the page " + expression, e);
            }
        });
    }

    /**
     * A script whose value is a hash of the pixels the {@code <img>} with id {@code id} shows now, drawn into a
     * canvas at its natural size (the image must be of the page's origin): it changes when a new frame is drawn.
     */
    static String pixelHash(String id) {
        return "(() => { const i = document.getElementById('" + id + "'); const c = document.createElement('canvas');"
                + " c.width = i.naturalWidth; c.height = i.naturalHeight; const g = c.getContext('2d');"
                + " g.drawImage(i, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data; let h = 0;"
                + " for (let k = 0; k < d.length; k += 4) { h = (Math.imul(h, 31) + d[k] + d[k + 1] + d[k + 2]) | 0; }"
                + " return h; })()";
    }

    /** What the window shows now. */
    BufferedImage screenshot() throws Exception {
        JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(shot.path("data").asText())));
        if (image == null) {
            throw new AssertionError("Chromium sent no readable screenshot");
        }
        return image;
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        JsonNode reply = answer.get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new AssertionError(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    private void received(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
                if (answer != null) {
                    answer.complete(message);
                }
            }
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    @Override
    public void close() {
        socket.abort();
        process.close();
    }

    /** Reassembles messages that arrive in fragments (a screenshot is hundreds of KiB). */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();
        private volatile DevToolsChromium browser;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                if (browser != null) {
                    browser.received(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
