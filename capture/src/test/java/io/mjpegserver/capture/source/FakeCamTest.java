package io.mjpegserver.capture.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mjpegserver.testing.Programs;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake camera of {@code src/test/c/fakecam}: built and checked by its own C program, then opened by FFmpeg's
 * V4L2 input inside JavaCV, in a child JVM that has it preloaded, with the options the server gives a camera.
 * Each packet must be the fixture's JPEG minus its DHT segments, byte for byte, at the negotiated rate.
 */
class FakeCamTest {

    private static final Path SOURCES = Path.of("src/test/c/fakecam").toAbsolutePath();
    private static final Path OUT = Path.of("target/fakecam").toAbsolutePath();
    private static final String DEVICE = "/dev/video7";
    private static final int PACKETS = 30;
    private static final long INTERVAL_US = 1_000_000 / 30;

    private static Outcome check;

    @BeforeAll
    static void build() throws Exception {
        Programs.require("gcc", "gcc");
        Programs.require("make", "make");
        Programs.require("ffmpeg", "ffmpeg");
        Files.createDirectories(OUT);
        check = run(List.of("make", "-C", SOURCES.toString(), "check"), Map.of(), Duration.ofSeconds(120),
                OUT.resolve("check.log"));
    }

    @Test
    void itsOwnCheckPasses() {
        assertEquals(0, check.exit, "make check:\n" + check.output);
        assertTrue(check.output.contains("fakecam check yuyv:"), check.output);
    }

    @Test
    void ffmpegInsideJavacvStreamsItsJpegsWithoutHuffmanTablesAtItsRate(@TempDir Path dir) throws Exception {
        Path library = OUT.resolve("libfakecam.so");
        assertTrue(Files.isRegularFile(library), "make check built no " + library + ":\n" + check.output);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Outcome grab = run(List.of(java, "-cp", System.getProperty("java.class.path"), FakeCamTest.class.getName(),
                        dir.toString()),
                Map.of("LD_PRELOAD", library.toString(), "FAKECAM_DEVICE", DEVICE,
                        "FAKECAM_FRAMES", OUT.resolve("frames").toString(), "FAKECAM_FORMATS", "mjpeg,yuyv",
                        "FAKECAM_SIZES", "640x480,1280x720", "FAKECAM_FPS", "30", "FAKECAM_TRACE", "1"),
                Duration.ofSeconds(90), dir.resolve("grab.log"));
        assertEquals(0, grab.exit, "the child JVM grabbing " + DEVICE + ":\n" + grab.output);
        assertEquals(List.of("640", "480", Integer.toString(avcodec.AV_CODEC_ID_MJPEG)),
                Files.readAllLines(dir.resolve("stream.txt")), "width, height, codec");
        // FFmpeg takes the size from the JPEGs it decodes: a camera answering S_FMT with another size shows in its log.
        assertFalse(grab.output.contains("The V4L2 driver changed"), "FFmpeg did not get what it asked:\n" + grab.output);

        List<byte[]> fixtures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            fixtures.add(withoutHuffmanTables(Files.readAllBytes(OUT.resolve("frames").resolve(String.format("%03d.jpg", i)))));
        }
        List<String> pts = Files.readAllLines(dir.resolve("pts.txt"));
        assertEquals(PACKETS, pts.size());
        int previous = -1;
        long previousPts = 0;
        for (int p = 0; p < PACKETS; p++) {
            byte[] packet = Files.readAllBytes(dir.resolve(p + ".jpg"));
            int fixture = indexOf(fixtures, packet);
            if (fixture < 0) {
                fail("packet " + p + " (" + packet.length + " bytes) is none of the fixture's JPEGs without their DHT"
                        + (hasHuffmanTables(packet) ? "; it has a DHT segment" : ""));
            }
            long at = Long.parseLong(pts.get(p));
            if (p > 0) {
                // Timestamps are the camera's, in microseconds: whole frame intervals apart, and the frames in turn.
                long intervals = Math.round((at - previousPts) / (double) INTERVAL_US);
                assertTrue(intervals >= 1 && Math.abs(at - previousPts - intervals * 1_000_000 / 30) <= 1,
                        "packet " + p + " comes " + (at - previousPts) + " us after the last (expected: n x 33333)");
                assertEquals((previous + intervals) % fixtures.size(), fixture, "packet " + p + "'s frame");
            }
            previous = fixture;
            previousPts = at;
        }
        for (String call : List.of("VIDIOC_QUERYCAP", "VIDIOC_S_FMT", "VIDIOC_REQBUFS", "VIDIOC_STREAMON",
                "VIDIOC_DQBUF", "VIDIOC_STREAMOFF", "close(")) {
            assertTrue(grab.output.contains(call), "FFmpeg never made " + call + ":\n" + grab.output);
        }
    }

    /** The child JVM: opens the camera as {@code CameraSource} does and writes what FFmpeg gives into {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path device = Path.of(DEVICE);
        if (!Files.exists(device) || !Files.isReadable(device)
                || !Files.isSymbolicLink(Path.of("/dev/v4l/by-id/usb-FakeCam_FakeCam_0001-video-index0"))) {
            throw new IllegalStateException("the JDK does not see " + device + " and its by-id link");
        }
        StringBuilder pts = new StringBuilder();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(DEVICE)) {
            grabber.setFormat("video4linux2");
            grabber.setOption("input_format", "mjpeg");
            grabber.setOption("video_size", "640x480");
            grabber.setOption("framerate", "30.000");
            grabber.start();
            Files.write(dir.resolve("stream.txt"), List.of(Integer.toString(grabber.getImageWidth()),
                    Integer.toString(grabber.getImageHeight()), Integer.toString(grabber.getVideoCodec())));
            for (int p = 0; p < PACKETS; p++) {
                AVPacket packet = grabber.grabPacket();
                if (packet == null) {
                    throw new IllegalStateException("the camera ended after " + p + " packets");
                }
                byte[] jpeg = new byte[packet.size()];
                packet.data().position(0).limit(jpeg.length).asByteBuffer().get(jpeg);
                pts.append(packet.pts()).append('\n');
                avcodec.av_packet_unref(packet);
                Files.write(dir.resolve(p + ".jpg"), jpeg);
            }
            grabber.stop();
        }
        Files.writeString(dir.resolve("pts.txt"), pts);
    }

    /** The JPEG as a UVC camera sends it: its DHT segments (all before the scan in FFmpeg's JPEGs) left out. */
    private static byte[] withoutHuffmanTables(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int i = 2;
        while ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) != 0xDA) {
            int segment = 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
            if ((jpeg[i + 1] & 0xFF) != 0xC4) {
                out.write(jpeg, i, segment);
            }
            i += segment;
        }
        out.write(jpeg, i, jpeg.length - i);
        return out.toByteArray();
    }

    private static boolean hasHuffmanTables(byte[] jpeg) {
        return withoutHuffmanTables(jpeg).length != jpeg.length;
    }

    private static int indexOf(List<byte[]> fixtures, byte[] packet) {
        for (int i = 0; i < fixtures.size(); i++) {
            if (Arrays.equals(fixtures.get(i), packet)) {
                return i;
            }
        }
        return -1;
    }

    private record Outcome(int exit, String output) {
    }

    /**
     * Runs {@code command} with {@code env} added, stdout and stderr to {@code log} (also printed, so the surefire
     * report has it); kills it after {@code limit}.
     */
    private static Outcome run(List<String> command, Map<String, String> env, Duration limit, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, UTF_8);
        System.out.println("$ " + String.join(" ", command) + "\n" + output);
        return new Outcome(ended ? process.exitValue() : -1, ended ? output : output + "\n(killed after " + limit + ")");
    }
}
