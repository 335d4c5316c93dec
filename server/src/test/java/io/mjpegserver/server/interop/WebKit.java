package io.mjpegserver.server.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * WebKitGTK, Safari's engine, as a test drives it: {@code MiniBrowser} under an {@code Xvfb} display, one
 * {@code WebKitWebDriver} per page (W3C WebDriver over HTTP). {@link #close()} ends every page, driver and the
 * display.
 */
final class WebKit implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER = Duration.ofSeconds(60);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dir;
    private final Path driver;
    private final Path miniBrowser;
    private final ChildProcess xvfb;
    private final String display;
    private final List<Page> pages = new ArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();

    private WebKit(Path dir, Path driver, Path miniBrowser, ChildProcess xvfb, String display) {
        this.dir = dir;
        this.driver = driver;
        this.miniBrowser = miniBrowser;
        this.xvfb = xvfb;
        this.display = display;
    }

    /** Starts a display of its own (Xvfb picks a free number); fails in CI or skips when a program is missing. */
    static WebKit start(Path dir) throws Exception {
        Path driver = Programs.require("WebKitWebDriver", "webkit2gtk-driver");
        Path xvfbProgram = Programs.require("Xvfb", "xvfb");
        Path miniBrowser = miniBrowser();
        ChildProcess xvfb = ChildProcess.start(dir, "xvfb", List.of(xvfbProgram.toString(), "-displayfd", "1",
                "-screen", "0", "1600x1200x24", "-nolisten", "tcp"));
        try {
            Path out = dir.resolve("xvfb.out");
            String[] number = {""};
            boolean ready = Http.eventually(ANSWER, () -> {
                try {
                    number[0] = Files.readString(out).strip();
                } catch (IOException e) {
                    return false;
                }
                return number[0].matches("\\d+") || !xvfb.isAlive();
            });
            if (!ready || !number[0].matches("\\d+")) {
                throw new AssertionError("Xvfb gave no display number\n" + xvfb.await(Duration.ZERO).describe());
            }
            return new WebKit(dir, driver, miniBrowser, xvfb, ":" + number[0]);
        } catch (Exception | Error e) {
            xvfb.close();
            throw e;
        }
    }

    /** Debian's MiniBrowser, in libwebkit2gtk-4.1-0's private directory. */
    private static Path miniBrowser() throws IOException {
        try (var dirs = Files.list(Path.of("/usr/lib"))) {
            for (Path lib : dirs.toList()) {
                Path candidate = lib.resolve("webkit2gtk-4.1").resolve("MiniBrowser");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return Programs.require("MiniBrowser", "libwebkit2gtk-4.1-0");
    }

    /** Opens {@code url} in a new MiniBrowser with a {@code width} x {@code height} viewport (TLS errors ignored). */
    Page open(String url, int width, int height) throws Exception {
        int number = opened.incrementAndGet();
        Page page;
        synchronized (this) {
            int port = ServerProcess.freePort();
            ChildProcess process = ChildProcess.start(dir, "webkitdriver" + number,
                    List.of(driver.toString(), "--port=" + port), Map.of("DISPLAY", display));
            page = new Page(process, "http://127.0.0.1:" + port);
            pages.add(page);
        }
        ChildProcess process = page.driver;
        if (!Http.eventually(ANSWER, () -> Http.status(page.base + "/status") == 200 || !process.isAlive())
                || !process.isAlive()) {
            throw new AssertionError("WebKitWebDriver did not start\n" + process.await(Duration.ZERO).describe());
        }
        ObjectNode options = JSON.createObjectNode().put("binary", miniBrowser.toString());
        options.putArray("args").add("--automation").add("--ignore-tls-errors");
        ObjectNode match = JSON.createObjectNode().put("browserName", "MiniBrowser").put("acceptInsecureCerts", true)
                // The stream never finishes loading: no command waits for the page's load; the test polls.
                .put("pageLoadStrategy", "none");
        match.set("webkitgtk:browserOptions", options);
        ObjectNode capabilities = JSON.createObjectNode();
        capabilities.putObject("capabilities").set("alwaysMatch", match);
        page.session = page.call("POST", "/session", capabilities).path("sessionId").asText();
        page.call("POST", page.path("/window/rect"), JSON.createObjectNode().put("width", width).put("height", height));
        page.call("POST", page.path("/url"), JSON.createObjectNode().put("url", url));
        return page;
    }

    @Override
    public synchronized void close() {
        pages.forEach(Page::close);
        xvfb.close();
    }

    /** One MiniBrowser window, through its driver. */
    static final class Page implements AutoCloseable {
        private final ChildProcess driver;
        private final String base;
        private volatile String session;

        private Page(ChildProcess driver, String base) {
            this.driver = driver;
            this.base = base;
        }

        private String path(String command) {
            return "/session/" + session + command;
        }

        /** Runs {@code script} (a function body: {@code return ...}) in the page and returns its value. */
        JsonNode evaluate(String script) throws Exception {
            ObjectNode body = JSON.createObjectNode().put("script", script);
            body.putArray("args");
            return call("POST", path("/execute/sync"), body);
        }

        /** Evaluates {@code expression} until true or {@code timeout}; one that throws counts as false. */
        boolean until(Duration timeout, String expression) throws InterruptedException {
            String guarded = "try { return !!(" + expression + "); } catch (e) { return false; }";
            return Http.eventually(timeout, () -> {
                try {
                    return evaluate(guarded).asBoolean(false);
                } catch (Exception e) {
                    throw new IllegalStateException("asking WebKit " + expression + ": " + e, e);
                }
            });
        }

        /** What the viewport shows now. */
        BufferedImage screenshot() throws Exception {
            String png = call("GET", path("/screenshot"), null).asText();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(png)));
            if (image == null) {
                throw new AssertionError("WebKit sent no readable screenshot");
            }
            return image;
        }

        /** The command's {@code value}; a WebDriver error (a crashed page...) fails with the driver's message. */
        private JsonNode call(String method, String path, JsonNode body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(ANSWER)
                    .header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode value = JSON.readTree(response.body()).path("value");
            if (response.statusCode() != 200 || value.has("error")) {
                throw new AssertionError("WebKit: " + method + " " + path + " answered " + response.statusCode() + " "
                        + value.path("error").asText() + ": " + value.path("message").asText());
            }
            return value;
        }

        @Override
        public void close() {
            if (session != null && driver.isAlive()) {
                try {
                    HttpRequest delete = HttpRequest.newBuilder(URI.create(base + "/session/" + session))
                            .timeout(Duration.ofSeconds(10)).DELETE().build();
                    CLIENT.send(delete, HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    // The driver is killed below with MiniBrowser.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            driver.close();
        }
    }
}
