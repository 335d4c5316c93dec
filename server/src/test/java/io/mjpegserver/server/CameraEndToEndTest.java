package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.MultipartStreamReader;
import io.mjpegserver.server.testing.Programs;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.server.testing.StreamClient;
import io.mjpegserver.testing.FakeCam;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server, {@code --device 7}, in a child JVM with the fake camera of {@code capture/src/test/c/fakecam}
 * preloaded, and clients over sockets: MJPEG passed through with only Huffman tables added, YUYV encoded, the
 * nearest size and rate, unplug and replug (NO SIGNAL and back; cycles that leak no thread, fd or buffer), a busy,
 * missing or forbidden camera at start, and a camera opened on demand and released after the grace period.
 */
class CameraEndToEndTest {

    /** Unplug/replug cycles after the first, timed one. */
    private static final int CYCLES = 50;
    private static final Duration PROMISED = Duration.ofSeconds(2);
    /** How long the timed unplug lasts: a camera back after a long outage is live as soon as after a short one. */
    private static final Duration OUTAGE = Duration.ofSeconds(8);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> PARANOID = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-Dio.netty.leakDetection.level=paranoid");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        FakeCam.build();
    }

    /** The fixture's environment for a camera offering {@code formats}, its state read from {@code dir/state}. */
    private Map<String, String> camera(String formats) throws IOException {
        Files.writeString(dir.resolve("state"), "plugged");
        Map<String, String> env = new HashMap<>(Map.of("LD_PRELOAD", FakeCam.library().toString(),
                "FAKECAM_FRAMES", FakeCam.frames().toString(), "FAKECAM_FORMATS", formats,
                "FAKECAM_SIZES", "640x480,1280x720", "FAKECAM_FPS", "30",
                "FAKECAM_STATE", dir.resolve("state").toString()));
        return env;
    }

    /** Sets the camera's state as the fixture reads it on every call: written whole, then moved into place. */
    private void state(String state) throws IOException {
        Files.writeString(dir.resolve("state.tmp"), state);
        Files.move(dir.resolve("state.tmp"), dir.resolve("state"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private ServerProcess serve(Map<String, String> env, String... arguments) throws Exception {
        List<String> args = new ArrayList<>(List.of("--device", "7"));
        args.addAll(List.of(arguments));
        return ServerProcess.start(dir, env, PARANOID, "/healthz", args.toArray(String[]::new));
    }

    @Test
    void anMjpegCamerasJpegsGoOutAsTheyCameWithOnlyTheStandardHuffmanTablesAdded() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            sent.add(FakeCam.withoutHuffmanTables(Files.readAllBytes(FakeCam.frames().resolve(String.format("%03d.jpg", i)))));
        }
        ByteArrayOutputStream parts = new ByteArrayOutputStream();
        try (ServerProcess server = serve(camera("mjpeg,yuyv"), "--size", "640x480", "--fps", "30")) {
            try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                for (int p = 0; p < 30; p++) {
                    MultipartStreamReader.Part part = client.next();
                    assertEquals("true", part.headers().get("x-source-online"), "part " + p + ": " + part.headers());
                    byte[] jpeg = part.body();
                    assertTrue(FakeCam.hasHuffmanTables(jpeg), "part " + p + " has Huffman tables");
                    byte[] asSent = FakeCam.withoutHuffmanTables(jpeg);
                    assertTrue(sent.stream().anyMatch(f -> Arrays.equals(f, asSent)),
                            "part " + p + " (" + jpeg.length + " bytes), its DHT left out, is one of the camera's frames");
                    assertSize(640, 480, jpeg, "part " + p);
                    parts.write(jpeg);
                }
            }
            Files.write(dir.resolve("parts.mjpeg"), parts.toByteArray());
            ChildProcess.Outcome decoded = ChildProcess.run(dir, "ffmpeg", WAIT, List.of(
                    Programs.require("ffmpeg", "ffmpeg").toString(), "-nostdin", "-v", "error", "-xerror", "-f", "mjpeg",
                    "-i", "parts.mjpeg", "-f", "framemd5", "-")).assertExit(0);
            assertEquals(30, decoded.out().lines().filter(l -> !l.startsWith("#")).count(), "frames ffmpeg decoded");
            assertEquals("", decoded.err(), "what ffmpeg said");
            JsonNode source = source(server);
            assertTrue(source.get("passedThrough").asBoolean(), source.toString());
            assertEquals(0, metric(Http.getText(server.url("/metrics")).body(), "mjpeg_frames_encoded_total"),
                    "frames encoded");
            assertFalse(Files.readString(Path.of("/proc/" + server.process().pid() + "/maps")).contains("opencv"),
                    "the server loaded OpenCV");
            assertTrue(log(server).contains("(passed through)"), log(server));
            assertNoLeak(server);
        }
    }

    @Test
    void aCameraNamedByItsStableByIdPathStreams() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, camera("mjpeg"), PARANOID, "/healthz",
                "--device", FakeCam.BY_ID, "--size", "640x480")) {
            try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                for (int p = 0; p < 5; p++) {
                    MultipartStreamReader.Part part = client.next();
                    assertEquals("true", part.headers().get("x-source-online"), "part " + p + ": " + part.headers());
                    assertSize(640, 480, part.body(), "part " + p);
                }
            }
            assertEquals(FakeCam.BY_ID, source(server).get("source").asText());
        }
    }

    @Test
    void aMetadataNodeIsRefusedWithOneLineNamingTheCaptureNodeOfTheSameCamera() throws Exception {
        Map<String, String> env = camera("mjpeg");
        env.put("FAKECAM_META", "1");
        assertRefused(env, "/dev/video8", "mjpeg-server: camera /dev/video8 is the metadata node of FakeCam, which gives"
                + " no video: use --device /dev/video7, its capture node");
    }

    @Test
    void listDevicesPrintsEachCaptureNodeAsV4l2EnumeratesItSkipsMetadataNodesAndExits0() throws Exception {
        Map<String, String> env = camera("mjpeg,yuyv");
        env.put("FAKECAM_META", "1");
        ChildProcess.Outcome listed = listDevices(env);
        assertEquals(0, listed.exitCode(), listed.describe());
        assertEquals(List.of(
                "/dev/video7: FakeCam (uvcvideo, usb-0000:00:14.0-1)",
                "  formats:",
                "    MJPG (Motion-JPEG): 640x480 at 30, 15 fps; 1280x720 at 30, 15 fps",
                "    YUYV (YUYV 4:2:2): 640x480 at 30, 15 fps; 1280x720 at 30, 15 fps",
                "  controls:",
                "    brightness: int 0..255, default 128",
                "    contrast: int 0..255, default 128",
                "    saturation: int 0..255, default 128",
                "    white_balance_automatic: bool 0..1, default 1",
                "    power_line_frequency: menu 0..2, default 2 (0 Disabled, 1 50 Hz, 2 60 Hz)",
                "    white_balance_temperature: int 2000..6500, default 4000",
                "    sharpness: int 0..255, default 128",
                "    auto_exposure: menu 0..3, default 3 (1 Manual Mode, 3 Aperture Priority Mode)",
                "    exposure_time_absolute: int 3..2047, default 250"), listed.out().lines().toList(), listed.describe());
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/video0")), "this machine has a camera");
        ChildProcess.Outcome none = listDevices(Map.of());
        assertEquals(0, none.exitCode(), none.describe());
        assertEquals(List.of("no camera found (looked at /dev/video0 to /dev/video255)"), none.out().lines().toList());
    }

    private static ChildProcess.Outcome listDevices(Map<String, String> env) throws Exception {
        Path run = Files.createTempDirectory("list-devices");
        try (ChildProcess lister = ChildProcess.start(run, "lister",
                ServerProcess.command(List.of(), ServerProcess.freePort(), "--list-devices"), env)) {
            return lister.await(Duration.ofSeconds(60));
        }
    }

    @Test
    void aYuyvOnlyCameraIsEncodedOncePerFrameAtTheConfiguredQuality() throws Exception {
        try (ServerProcess server = serve(camera("yuyv"), "--size", "640x480", "--fps", "30", "--quality", "30")) {
            byte[] jpeg = null;
            try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                for (int p = 0; p < 20; p++) {
                    jpeg = client.next().body();
                    assertSize(640, 480, jpeg, "part " + p);
                }
            }
            assertArrayEquals(lumaTable(30), quantizationTable(jpeg), "the luminance table of quality 30");
            JsonNode source = source(server);
            assertFalse(source.get("passedThrough").asBoolean(), source.toString());
            String metrics = Http.getText(server.url("/metrics")).body();
            long captured = metric(metrics, "mjpeg_frames_captured_total");
            long encoded = metric(metrics, "mjpeg_frames_encoded_total");
            // Read at once: a frame captured and not yet encoded, at most one per thread, is the only difference.
            assertTrue(captured >= 20 && Math.abs(encoded - captured) <= 1,
                    "encoded " + encoded + " of " + captured + " frames captured (expected: each once)");
            assertNoLeak(server);
        }
    }

    @Test
    void aSizeAndRateTheCameraLacksBecomeTheNearestItOffersSaidAtStartAndInState() throws Exception {
        try (ServerProcess server = serve(camera("mjpeg"), "--size", "800x600", "--fps", "25")) {
            assertTrue(log(server).contains("camera /dev/video7 does not offer 800x600 at 25 fps: it gives 640x480 at"
                    + " 30 fps, the nearest it offers"), log(server));
            try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                for (int p = 0; p < 5; p++) {
                    assertSize(640, 480, client.next().body(), "part " + p);
                }
            }
            JsonNode source = source(server);
            assertEquals("800x600", source.get("configuredSize").asText(), source.toString());
            assertEquals(640, source.get("width").asInt(), source.toString());
            assertEquals(480, source.get("height").asInt(), source.toString());
            assertTrue(source.get("passedThrough").asBoolean(), "the camera's own size is passed through: " + source);
        }
    }

    @Test
    void unpluggedItIsNoSignalWithin2sAndLiveWithin2sOfReturningAndCyclesLeakNothing() throws Exception {
        Map<String, String> env = camera("mjpeg");
        env.put("FAKECAM_TRACE", "1");
        try (ServerProcess server = serve(env, "--size", "640x480", "--fps", "30")) {
            long pid = server.process().pid();
            try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                assertEquals("true", client.next().headers().get("x-source-online"));
                assertTrue(source(server).get("online").asBoolean(), "online before the unplug");
                state("unplugged");
                long unplugged = System.nanoTime();
                awaitState(server, s -> !s.get("online").asBoolean(), "offline");
                long down = System.nanoTime() - unplugged;
                MultipartStreamReader.Part first = skipUntil(client, "false", "a NO SIGNAL part");
                long noSignal = System.nanoTime() - unplugged;
                assertSize(640, 480, first.body(), "the first NO SIGNAL part");
                // Out for longer than the reopens of a relay back off to (5 s apart): a camera is looked for often.
                Thread.sleep(Math.max(0, OUTAGE.minusNanos(System.nanoTime() - unplugged).toMillis()));
                state("plugged");
                long plugged = System.nanoTime();
                MultipartStreamReader.Part live = skipUntil(client, "true", "the camera's frames again");
                long back = System.nanoTime() - plugged;
                assertSize(640, 480, live.body(), "the first part after the camera came back");
                System.out.printf("camera unplugged: offline in /state after %d ms, NO SIGNAL part after %d ms;"
                        + " plugged after %d ms: live after %d ms%n", down / 1_000_000, noSignal / 1_000_000,
                        (plugged - unplugged) / 1_000_000, back / 1_000_000);
                assertTrue(down < PROMISED.toNanos(), "offline " + down / 1_000_000 + " ms after the unplug");
                // The first NO SIGNAL of a feed passing its frames through, OpenCV not loaded: told at once all the same.
                assertTrue(noSignal < PROMISED.toNanos(), "NO SIGNAL " + noSignal / 1_000_000 + " ms after the unplug");
                assertTrue(back < PROMISED.toNanos(), "live " + back / 1_000_000 + " ms after the camera came back, "
                        + (plugged - unplugged) / 1_000_000 + " ms after it was unplugged");
                state("unplugged");
                long again = System.nanoTime();
                skipUntil(client, "false", "a NO SIGNAL part");
                long noSignalAgain = System.nanoTime() - again;
                state("plugged");
                long replugged = System.nanoTime();
                skipUntil(client, "true", "the camera's frames again");
                long backAgain = System.nanoTime() - replugged;
                System.out.printf("unplugged again: NO SIGNAL part after %d ms; plugged: live after %d ms%n",
                        noSignalAgain / 1_000_000, backAgain / 1_000_000);
                assertTrue(noSignalAgain < PROMISED.toNanos(), "NO SIGNAL " + noSignalAgain / 1_000_000
                        + " ms after the second unplug");
                assertTrue(backAgain < PROMISED.toNanos(), "live " + backAgain / 1_000_000
                        + " ms after the camera came back");
            }
            int fds = count("/proc/" + pid + "/fd");
            int threads = count("/proc/" + pid + "/task");
            long started = System.nanoTime();
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                long reopens = source(server).get("reopens").asLong();
                state("unplugged");
                awaitState(server, s -> !s.get("online").asBoolean(), "offline, cycle " + cycle);
                state("plugged");
                awaitState(server, s -> s.get("online").asBoolean() && s.get("reopens").asLong() > reopens,
                        "online again, cycle " + cycle);
                // The lost camera was closed before it was opened again (not left to a finalizer).
                assertEquals(opens(server) - 1, closes(server), "closes of the camera, cycle " + cycle + ":\n"
                        + trace(server));
            }
            System.out.printf("%d unplug/replug cycles in %d ms; fds %d, threads %d before%n", CYCLES,
                    (System.nanoTime() - started) / 1_000_000, fds, threads);
            // The /state requests' connections close after a while; the level must come back, not stay higher.
            assertTrue(Http.eventually(WAIT, () -> count("/proc/" + pid + "/fd") <= fds),
                    "file descriptors: " + count("/proc/" + pid + "/fd") + " after the cycles, " + fds + " before");
            assertTrue(Http.eventually(WAIT, () -> count("/proc/" + pid + "/task") <= threads),
                    "threads: " + count("/proc/" + pid + "/task") + " after the cycles, " + threads + " before");
            System.out.printf("after: fds %d, threads %d%n", count("/proc/" + pid + "/fd"), count("/proc/" + pid + "/task"));
            assertNoLeak(server);
        }
    }

    @Test
    void aBusyMissingOrForbiddenCameraStopsTheStartWithOneLineSayingWhatToDo() throws Exception {
        Map<String, String> env = camera("mjpeg");
        env.put("FAKECAM_TRACE", "1");
        state("busy");
        assertRefused(env, "7", "mjpeg-server: camera /dev/video7 is busy: another program holds it (find it with:"
                + " fuser /dev/video7), or pick another with --device N");
        state("denied");
        assertRefused(env, "7", "mjpeg-server: camera /dev/video7 is not readable: add this user to the 'video' group"
                + " (sudo usermod -aG video $USER) or run with access to the device");
        state("plugged");
        assertRefused(env, "8", "mjpeg-server: camera /dev/video8 not found: connect a camera, pick another with"
                + " --device N, or stream the built-in test pattern with --test-pattern");
    }

    @Test
    void onDemandTheCameraIsOpenedAtTheFirstClientAndReleasedAfterTheGracePeriod() throws Exception {
        Map<String, String> env = camera("mjpeg");
        env.put("FAKECAM_TRACE", "1");
        try (ServerProcess server = serve(env, "--size", "640x480", "--on-demand", "--idle-grace", "1")) {
            assertEquals(0, opens(server), "opens before any client");
            assertTrue(source(server).get("idle").asBoolean());
            try (StreamClient client = StreamClient.open(server.port(), "/stream", "1.1")) {
                assertSize(640, 480, client.next().body(), "the first part");
            }
            assertEquals(1, opens(server), "opens for the first client");
            long left = System.nanoTime();
            assertTrue(Http.eventually(WAIT, () -> closes(server) == 1), "the camera is closed: " + trace(server));
            long released = System.nanoTime() - left;
            System.out.printf("on demand: camera closed %d ms after the last client left (grace 1 s)%n",
                    released / 1_000_000);
            assertTrue(released >= 900_000_000L, "closed " + released / 1_000_000 + " ms after (expected: the grace, 1 s)");
            assertTrue(source(server).get("idle").asBoolean());
        }
    }

    @Test
    void controlsGivenByFlagAndByTheFeedsYamlReachTheCameraAreReadBackInStateAndSetAgainAfterAReplug() throws Exception {
        Map<String, String> env = camera("mjpeg");
        env.put("FAKECAM_TRACE", "1");
        try (ServerProcess server = serve(env, "--size", "640x480", "--control", "brightness=140",
                "--control", "power_line_frequency=50hz")) {
            assertEquals(1, controlsSet(server, BRIGHTNESS, 140), "S_CTRL brightness 140:\n" + log(server));
            assertEquals(1, controlsSet(server, POWER_LINE_FREQUENCY, 1), "S_CTRL power line 50 Hz:\n" + log(server));
            assertEquals(140, source(server).get("controls").get("brightness").asInt(), source(server).toString());
            assertEquals(1, source(server).get("controls").get("power_line_frequency").asInt(), source(server).toString());
            state("unplugged");
            awaitState(server, s -> !s.get("online").asBoolean(), "offline");
            state("plugged");
            awaitState(server, s -> s.get("online").asBoolean(), "online again");
            assertEquals(2, controlsSet(server, BRIGHTNESS, 140), "brightness set again after the replug:\n" + log(server));
            assertEquals(2, controlsSet(server, POWER_LINE_FREQUENCY, 1), "power line set again:\n" + log(server));
        }
        Path yaml = dir.resolve("cameras.yaml");
        Files.writeString(yaml, "feeds:\n  desk:\n    device: 7\n    size: 640x480\n"
                + "    controls: { contrast: 60, sharpness: 200 }\n");
        try (ServerProcess server = ServerProcess.start(dir, env, PARANOID, "/healthz", "--config", yaml.toString())) {
            assertEquals(1, controlsSet(server, CONTRAST, 60), "S_CTRL contrast 60:\n" + log(server));
            assertEquals(1, controlsSet(server, SHARPNESS, 200), "S_CTRL sharpness 200:\n" + log(server));
            JsonNode controls = source(server).get("controls");
            assertEquals(60, controls.get("contrast").asInt(), controls.toString());
            assertEquals(200, controls.get("sharpness").asInt(), controls.toString());
        }
    }

    @Test
    void aControlTheCameraLacksOrAValueOutOfItsRangeStopsTheStartWithOneLineAndStatus2() throws Exception {
        Map<String, String> env = camera("mjpeg");
        refused(env, 2, "mjpeg-server: camera /dev/video7 has no control zoom_absolute (expected one of: brightness,"
                + " contrast, saturation, white_balance_automatic, power_line_frequency, white_balance_temperature,"
                + " sharpness, auto_exposure, exposure_time_absolute)", "--device", "7", "--control", "zoom_absolute=100");
        refused(env, 2, "mjpeg-server: camera /dev/video7, control brightness: '300' (expected: 0 to 255)",
                "--device", "7", "--control", "brightness=300");
        refused(env, 2, "mjpeg-server: camera /dev/video7, control power_line_frequency: '70hz' (expected: 0 (disabled),"
                + " 1 (50hz), 2 (60hz))", "--device", "7", "--control", "power_line_frequency=70hz");
        // In a config file, at the feed's controls: and their line.
        Path yaml = Files.createTempDirectory("camera-controls").resolve("cameras.yaml");
        Files.writeString(yaml, "feeds:\n  desk:\n    device: 7\n    size: 640x480\n    controls: { brightness: 300 }\n");
        refused(env, 2, "mjpeg-server: " + yaml + " line 5, feed desk, controls: camera /dev/video7, control brightness:"
                + " '300' (expected: 0 to 255)", "--config", yaml.toString());
    }

    /** V4L2's ids of the controls the tests set. */
    private static final int BRIGHTNESS = 0x00980900;
    private static final int CONTRAST = 0x00980901;
    private static final int POWER_LINE_FREQUENCY = 0x00980918;
    private static final int SHARPNESS = 0x0098091b;

    /** How many times the camera took {@code value} for the control {@code id}, by the fixture's trace. */
    private long controlsSet(ServerProcess server, int id, int value) throws IOException {
        String set = "VIDIOC_S_CTRL) = 0 Success: id 0x" + Integer.toHexString(id) + " value " + value;
        return log(server).lines().filter(l -> l.startsWith("fakecam: ioctl(") && l.endsWith(set)).count();
    }

    /** Starts the server with {@code args}: it exits with {@code status}, its one line {@code line}. */
    private static ChildProcess.Outcome refused(Map<String, String> env, int status, String line, String... args)
            throws Exception {
        Path run = Files.createTempDirectory("camera-refused");
        ChildProcess.Outcome outcome;
        try (ChildProcess server = ChildProcess.start(run, "server",
                ServerProcess.command(List.of(), ServerProcess.freePort(), args), env)) {
            outcome = server.await(Duration.ofSeconds(60));
        }
        assertEquals(status, outcome.exitCode(), outcome.describe());
        List<String> said = outcome.err().lines().filter(l -> !l.isBlank() && !l.startsWith("fakecam: ")).toList();
        assertEquals(List.of(line), said, outcome.describe());
        return outcome;
    }

    private static void assertRefused(Map<String, String> env, String device, String line) throws Exception {
        ChildProcess.Outcome outcome = refused(env, 1, line, "--device", device);
        // A camera that cannot be opened is not asked again in another format (JavaCV's start tries twice itself).
        assertTrue(outcome.err().lines().filter(l -> l.startsWith("fakecam: open(")).count() <= 2, outcome.describe());
    }

    /** Reads parts until one whose {@code X-Source-Online} is {@code online}, for at most 10 s. */
    private static MultipartStreamReader.Part skipUntil(StreamClient client, String online, String what)
            throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            MultipartStreamReader.Part part = client.next();
            if (online.equals(part.headers().get("x-source-online"))) {
                return part;
            }
        }
        throw new AssertionError("no " + what + " within 10 s");
    }

    private static void assertSize(int width, int height, byte[] jpeg, String what) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(image, what + " decodes");
        assertEquals(width + "x" + height, image.getWidth() + "x" + image.getHeight(), what);
    }

    /** The first quantization table of a JPEG, in the order stored (zigzag). */
    private static int[] quantizationTable(byte[] jpeg) {
        for (int i = 2; i + 4 < jpeg.length && (jpeg[i] & 0xFF) == 0xFF; ) {
            int length = (jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF);
            if ((jpeg[i + 1] & 0xFF) == 0xDB) {
                int[] table = new int[64];
                for (int k = 0; k < 64; k++) {
                    table[k] = jpeg[i + 5 + k] & 0xFF;
                }
                return table;
            }
            i += 2 + length;
        }
        throw new AssertionError("no DQT segment");
    }

    /** libjpeg's luminance table at {@code quality} (Annex K's, scaled as {@code jpeg_set_quality} does), zigzag. */
    private static int[] lumaTable(int quality) {
        int[] annexK = {16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37,
            29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98,
            103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99};
        int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
        return Arrays.stream(annexK).map(q -> Math.max(1, Math.min(255, (q * scale + 50) / 100))).toArray();
    }

    private static JsonNode source(ServerProcess server) throws IOException, InterruptedException {
        return JSON.readTree(Http.getText(server.url("/state")).body()).get("source");
    }

    private static void awaitState(ServerProcess server, java.util.function.Predicate<JsonNode> condition, String what)
            throws InterruptedException {
        assertTrue(Http.eventually(WAIT, () -> {
            try {
                return condition.test(source(server));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }), what);
    }

    /** The sum of a metric's series in {@code metrics}, a {@code /metrics} answer. */
    private static long metric(String metrics, String name) {
        return (long) metrics.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** What the server (started in {@link #dir}) wrote so far, standard output then error. */
    private String log(ServerProcess server) throws IOException {
        return Files.readString(dir.resolve("server.out")) + Files.readString(dir.resolve("server.err"));
    }

    /** The fixture's trace of opens and closes of the camera ({@code FAKECAM_TRACE=1}), in the server's stderr. */
    private String trace(ServerProcess server) {
        try {
            return log(server).lines().filter(l -> l.startsWith("fakecam: open(") || l.startsWith("fakecam: close("))
                    .reduce("", (a, b) -> a + b + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long opens(ServerProcess server) {
        return trace(server).lines().filter(l -> l.matches("fakecam: open\\(/dev/video7\\) = \\d+")).count();
    }

    private long closes(ServerProcess server) {
        return trace(server).lines().filter(l -> l.startsWith("fakecam: close(")).count();
    }

    private static int count(String directory) {
        try (Stream<Path> entries = Files.list(Path.of(directory))) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * No buffer leaked: a full GC in the server, a few more frames (paranoid detection reports what the GC found
     * unreleased at the next allocations), then a clean stop, and no {@code LEAK:} in its output.
     */
    private void assertNoLeak(ServerProcess server) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        ChildProcess.run(Files.createTempDirectory("camera-gc"), "jcmd", WAIT,
                List.of(jcmd, Long.toString(server.process().pid()), "GC.run")).assertExit(0);
        long captured = source(server).get("framesCaptured").asLong();
        awaitState(server, s -> s.get("framesCaptured").asLong() >= captured + 10, "frames after the GC");
        server.process().terminate();
        ChildProcess.Outcome outcome = server.process().await(WAIT);
        assertEquals(0, outcome.exitCode(), outcome.describe());
        assertFalse(log(server).contains("LEAK:"), "a buffer leaked:\n" + log(server));
    }
}
