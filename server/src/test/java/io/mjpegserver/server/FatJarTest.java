package io.mjpegserver.server;

import static org.bytedeco.ffmpeg.global.avdevice.avdevice_register_all;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Frames;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.HttpsStartup;
import io.mjpegserver.server.testing.ServerProcess;
import io.mjpegserver.testing.Clips;
import io.mjpegserver.testing.RtspTestServer;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar users run ({@code server/target/mjpeg-server.jar}) serves every kind of source from the natives it
 * ships: the pom keeps only those the sources and the encoder load, and the rest of the suite runs on Maven's
 * class path, which has them all. Each source runs in a JVM of its own with {@code java -jar}, on one natives
 * cache that starts empty, so nothing unpacked from a fuller jar can stand in for a missing file.
 *
 * <p>Runs in the {@code integration-test} phase ({@code mvn verify}), once the jar is built; the pom says where
 * it is in the {@code mjpeg.fatJar} property.
 */
class FatJarTest {

    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    private static Path jar;

    @BeforeAll
    static void locateJar() {
        String path = System.getProperty("mjpeg.fatJar");
        Assumptions.assumeTrue(path != null, "runs in the integration-test phase, on the built jar (mvn verify)");
        jar = Path.of(path);
        assertTrue(Files.isRegularFile(jar), "the jar is built: " + jar);
    }

    private ServerProcess serve(String name, String... arguments) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve(name));
        return ServerProcess.startJar(home, jar, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), "/snapshot",
                arguments);
    }

    /** The decoded snapshot of {@code server}, which must be {@code width} x {@code height}. */
    private static BufferedImage snapshot(ServerProcess server, int width, int height) throws Exception {
        HttpResponse<byte[]> response = Http.get(server.url("/snapshot"));
        assertEquals(200, response.statusCode());
        BufferedImage image = Frames.decode(response.body());
        assertEquals(width + "x" + height, image.getWidth() + "x" + image.getHeight());
        return image;
    }

    @Test
    void testPatternIsDrawnAndEncoded() throws Exception {
        try (ServerProcess server = serve("pattern", "--test-pattern", "--size", "640x360")) {
            byte[] jpeg = Http.get(server.url("/snapshot")).body();
            assertTrue(Frames.frameNumber(jpeg, 640, 360) > 0, "the frame number reads back");
        }
    }

    @Test
    void mjpegFileIsPassedThrough() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 30, 30);
        try (ServerProcess server = serve("mjpeg", "--file", clip.toString())) {
            snapshot(server, 320, 240);
            JsonNode source = new ObjectMapper().readTree(Http.getText(server.url("/state")).body()).get("source");
            assertTrue(source.get("passedThrough").asBoolean(), "passed through: " + source);
        }
    }

    @Test
    void videoFileIsDecodedScaledAndEncoded() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.mkv"), Clips.Codec.MPEG4_MKV, 320, 240, 30, 30);
        try (ServerProcess server = serve("mpeg4", "--file", clip.toString(), "--size", "160x120")) {
            snapshot(server, 160, 120);
        }
    }

    @Test
    void stillImageIsServed() throws Exception {
        Path still = Clips.still(dir.resolve("still.png"), 320, 240, 90);
        try (ServerProcess server = serve("still", "--file", still.toString())) {
            snapshot(server, 320, 240);
        }
    }

    @Test
    void rtspStreamIsDecoded() throws Exception {
        try (RtspTestServer rtsp = RtspTestServer.start(Files.createDirectories(dir.resolve("rtsp")));
                ServerProcess server = serve("rtsp-client", "--url", rtsp.url("/h264"))) {
            snapshot(server, RtspTestServer.WIDTH, RtspTestServer.HEIGHT);
        }
    }

    @Test
    void httpRelayOfAnUpstreamThatIsDownSendsNoSignal() throws Exception {
        int nobody = ServerProcess.freePort();
        try (ServerProcess server = serve("relay", "--url", "http://127.0.0.1:" + nobody + "/stream", "--size", "320x240")) {
            BufferedImage image = snapshot(server, 320, 240);
            assertTrue(Math.abs((image.getRGB(4, 4) & 0xFF) - NoSignalImage.BACKGROUND_LEVEL) < 16, "a NO SIGNAL frame");
        }
    }

    /**
     * A feed that passes its frames through loads no OpenCV, nor the OpenBLAS it links (most of the natives' memory),
     * until it must draw NO SIGNAL's words: an MJPEG file, and an edge relaying it, stream without them; when the
     * file's server goes, the relay sends NO SIGNAL at once and loads them to write on the frames after.
     */
    @Test
    void passThroughFeedsLoadOpenCvOnlyToDrawNoSignal() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 30, 30);
        try (ServerProcess origin = serve("origin", "--file", clip.toString());
                ServerProcess relay = serve("relay-of-file", "--url", origin.url("/stream"))) {
            BufferedImage live = snapshot(relay, 320, 240);
            assertFalse(isNoSignal(live), "a live frame");
            assertEquals(List.of(), openCv(origin), "the file's server, passing its JPEGs through");
            assertEquals(List.of(), openCv(relay), "the relay, passing its upstream's JPEGs through");
            origin.close();
            assertTrue(Http.eventually(Duration.ofSeconds(30), () -> showsNoSignal(relay)),
                    "the relay sends NO SIGNAL once its upstream is gone");
            // The first NO SIGNAL frame needs no OpenCV; the next ones' words do, loaded in the background.
            List<String> all = List.of("libopenblas", "libopencv_core", "libopencv_imgcodecs");
            assertTrue(Http.eventually(Duration.ofSeconds(30), () -> {
                try {
                    return openCv(relay).equals(all);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }),
                    "loaded to draw NO SIGNAL's words: " + openCv(relay));
        }
    }

    /** Which of OpenCV's core and codecs libraries and OpenBLAS the server's process has loaded, by name. */
    private static List<String> openCv(ServerProcess server) throws IOException {
        String maps = Files.readString(Path.of("/proc/" + server.process().pid() + "/maps"));
        return List.of("libopenblas", "libopencv_core", "libopencv_imgcodecs").stream()
                .filter(library -> maps.contains("/" + library)).toList();
    }

    /** NO SIGNAL's background, told from the clip's darkest grey (40) with a margin for the JPEG's error. */
    private static boolean isNoSignal(BufferedImage image) {
        return Math.abs((image.getRGB(4, 4) & 0xFF) - NoSignalImage.BACKGROUND_LEVEL) < 8;
    }

    /** Whether {@code server}'s snapshot is a NO SIGNAL frame now. */
    private static boolean showsNoSignal(ServerProcess server) {
        try {
            HttpResponse<byte[]> response = Http.get(server.url("/snapshot"));
            return response.statusCode() == 200 && isNoSignal(Frames.decode(response.body()));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A camera is read through FFmpeg's V4L2 input device, in libavdevice (which links libavfilter). No camera
     * here, so {@link CameraInputProbe} looks for that input device with the jar's natives (the class path is the
     * jar and the probe's own class, which brings no natives).
     */
    @Test
    void cameraInputDeviceIsInTheJar() throws Exception {
        String testClasses = Path.of(CameraInputProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", jar + File.pathSeparator + testClasses,
                CameraInputProbe.class.getName());
        ChildProcess.Outcome outcome = ChildProcess.run(dir, "probe", Duration.ofSeconds(60), command).assertExit(0);
        assertEquals("video4linux2,v4l2", outcome.out().strip(), outcome.describe());
    }

    /** Prints the name of FFmpeg's V4L2 input device once libavdevice has registered it. */
    static final class CameraInputProbe {
        public static void main(String[] args) {
            avdevice_register_all();
            AVInputFormat v4l2 = av_find_input_format("video4linux2");
            System.out.println(v4l2 == null || v4l2.isNull() ? "none" : v4l2.name().getString());
        }
    }

    /** The jar carries BoringSSL for its platform, so TLS is made by OpenSSL, not by the JDK's slower engine. */
    @Test
    void tlsIsMadeByTheOpenSslInTheJar() throws Exception {
        HttpsStartup.assertServedBy(dir, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache, "-jar", jar.toString()),
                "OpenSSL");
    }

    @Test
    void missingCameraIsOneLineAndStatusOne() throws Exception {
        int device = 90;
        while (Files.exists(Path.of("/dev/video" + device))) {
            device++;
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-jar", jar.toString(), "--device", String.valueOf(device),
                "--host", "127.0.0.1", "--port", "0"));
        ChildProcess.Outcome outcome = ChildProcess.run(dir, "camera", Duration.ofSeconds(60), command).assertExit(1);
        assertEquals("mjpeg-server: camera /dev/video" + device + " not found: connect a camera, pick another with"
                + " --device N, or stream the built-in test pattern with --test-pattern", outcome.err().strip());
    }
}
