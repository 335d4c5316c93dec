package io.mjpegserver.capture.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mjpegserver.testing.FakeCam;
import io.mjpegserver.testing.Programs;
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
 * Each packet must be the fixture's frame as a UVC camera sends it (a JPEG minus its DHT segments, or raw YUYV),
 * byte for byte, at the negotiated rate; unplugging the camera must end FFmpeg's stream.
 */
class FakeCamTest {

    private static final Path SOURCES = FakeCam.sources();
    private static final Path OUT = FakeCam.out();
    private static final String DEVICE = FakeCam.DEVICE;
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
        Outcome grab = grab(dir, "mjpeg,yuyv");
        assertEquals(List.of("640", "480", Integer.toString(avcodec.AV_CODEC_ID_MJPEG)),
                Files.readAllLines(dir.resolve("stream.txt")), "width, height, codec");
        // FFmpeg takes the size from the JPEGs it decodes: a camera answering S_FMT with another size shows in its log.
        assertFalse(grab.output.contains("The V4L2 driver changed"), "FFmpeg did not get what it asked:\n" + grab.output);
        List<byte[]> fixtures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            fixtures.add(FakeCam.withoutHuffmanTables(Files.readAllBytes(frame(String.format("%03d.jpg", i)))));
        }
        assertFramesInTurn(dir, fixtures);
        for (String call : List.of("VIDIOC_QUERYCAP", "VIDIOC_S_FMT", "VIDIOC_REQBUFS", "VIDIOC_STREAMON",
                "VIDIOC_DQBUF", "VIDIOC_STREAMOFF", "close(")) {
            assertTrue(grab.output.contains(call), "FFmpeg never made " + call + ":\n" + grab.output);
        }
    }

    /** A camera with no MJPEG refuses FFmpeg's {@code input_format mjpeg}, and gives raw YUYV without it. */
    @Test
    void aYuyvOnlyCameraRefusesMjpegAndStreamsItsImages(@TempDir Path dir) throws Exception {
        grab(dir, "yuyv");
        assertEquals(List.of("640", "480", Integer.toString(avcodec.AV_CODEC_ID_RAWVIDEO)),
                Files.readAllLines(dir.resolve("stream.txt")), "width, height, codec");
        assertTrue(Files.readString(dir.resolve("refused.txt")).contains("avformat_open_input() error"),
                "what FFmpeg said to input_format mjpeg");
        List<byte[]> fixtures = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            fixtures.add(Files.readAllBytes(frame(String.format("%03d.yuv", i))));
        }
        assertFramesInTurn(dir, fixtures);
    }

    private static Path frame(String name) {
        return OUT.resolve("frames").resolve(name);
    }

    /** Runs {@link #main} in a child JVM with the camera preloaded, offering {@code formats}; it must end well. */
    private static Outcome grab(Path dir, String formats) throws Exception {
        Path library = OUT.resolve("libfakecam.so");
        assertTrue(Files.isRegularFile(library), "make check built no " + library + ":\n" + check.output);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path state = dir.resolve("state");
        Files.writeString(state, "plugged");
        Outcome grab = run(List.of(java, "-cp", System.getProperty("java.class.path"), FakeCamTest.class.getName(),
                        dir.toString(), formats.startsWith("mjpeg") ? "mjpeg" : "rawvideo", state.toString()),
                Map.of("LD_PRELOAD", library.toString(), "FAKECAM_DEVICE", DEVICE, "FAKECAM_STATE", state.toString(),
                        "FAKECAM_FRAMES", OUT.resolve("frames").toString(), "FAKECAM_FORMATS", formats,
                        "FAKECAM_SIZES", "640x480,1280x720", "FAKECAM_FPS", "30", "FAKECAM_TRACE", "1"),
                Duration.ofSeconds(90), dir.resolve("grab.log"));
        assertEquals(0, grab.exit, "the child JVM grabbing " + DEVICE + ":\n" + grab.output);
        assertTrue(Files.readString(dir.resolve("unplugged.txt")).startsWith("ended"),
                "after the camera was unplugged, FFmpeg: " + Files.readString(dir.resolve("unplugged.txt")));
        return grab;
    }

    /**
     * Each packet the child wrote is one of {@code fixtures}, byte for byte; their timestamps (the camera's, in
     * microseconds) are whole frame intervals apart, and the fixtures come in turn, one per interval.
     */
    private static void assertFramesInTurn(Path dir, List<byte[]> fixtures) throws IOException {
        List<String> pts = Files.readAllLines(dir.resolve("pts.txt"));
        assertEquals(PACKETS, pts.size());
        int previous = -1;
        long previousPts = 0;
        for (int p = 0; p < PACKETS; p++) {
            byte[] packet = Files.readAllBytes(dir.resolve(p + ".packet"));
            int fixture = indexOf(fixtures, packet);
            if (fixture < 0) {
                fail("packet " + p + " (" + packet.length + " bytes) is none of the fixture's frames as the camera sends"
                        + " them" + (FakeCam.hasHuffmanTables(packet) ? "; it has a DHT segment" : ""));
            }
            long at = Long.parseLong(pts.get(p));
            if (p > 0) {
                long intervals = Math.round((at - previousPts) / (double) INTERVAL_US);
                assertTrue(intervals >= 1 && Math.abs(at - previousPts - intervals * 1_000_000 / 30) <= 1,
                        "packet " + p + " comes " + (at - previousPts) + " us after the last (expected: n x 33333)");
                assertEquals((previous + intervals) % fixtures.size(), fixture, "packet " + p + "'s frame");
            }
            previous = fixture;
            previousPts = at;
        }
    }

    /**
     * The child JVM: checks the JDK sees the device, opens it as {@code CameraSource} does (input format
     * {@code args[1]}: mjpeg, or rawvideo after mjpeg was refused), writes what FFmpeg gives into {@code args[0]},
     * then unplugs the camera (state file {@code args[2]}) and writes how FFmpeg took it.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path device = Path.of(DEVICE);
        if (!Files.exists(device) || !Files.isReadable(device)
                || !Files.isSymbolicLink(Path.of("/dev/v4l/by-id/usb-FakeCam_FakeCam_0001-video-index0"))) {
            throw new IllegalStateException("the JDK does not see " + device + " and its by-id link");
        }
        boolean mjpeg = args[1].equals("mjpeg");
        if (!mjpeg) {
            try (FFmpegFrameGrabber refused = open(true)) {
                throw new IllegalStateException("input_format mjpeg accepted by a camera without MJPEG");
            } catch (FFmpegFrameGrabber.Exception e) {
                Files.writeString(dir.resolve("refused.txt"), e.getMessage());
            }
        }
        StringBuilder pts = new StringBuilder();
        try (FFmpegFrameGrabber grabber = open(mjpeg)) {
            Files.write(dir.resolve("stream.txt"), List.of(Integer.toString(grabber.getImageWidth()),
                    Integer.toString(grabber.getImageHeight()), Integer.toString(grabber.getVideoCodec())));
            for (int p = 0; p < PACKETS; p++) {
                byte[] data = packet(grabber, pts);
                if (data == null) {
                    throw new IllegalStateException("the camera ended after " + p + " packets");
                }
                Files.write(dir.resolve(p + ".packet"), data);
            }
            Files.writeString(dir.resolve("pts.txt"), pts);
            Files.writeString(Path.of(args[2]), "unplugged");
            long unplugged = System.nanoTime();
            // FFmpeg may hold packets read before the unplug: it hands those out, then must end.
            String outcome = "no end";
            try {
                for (int late = 0; late < 64; late++) {
                    if (packet(grabber, pts) == null) {
                        outcome = "ended, " + late + " packets later";
                        break;
                    }
                }
            } catch (FFmpegFrameGrabber.Exception e) {
                outcome = "ended: " + e.getMessage();
            }
            Files.writeString(dir.resolve("unplugged.txt"),
                    outcome + " after " + (System.nanoTime() - unplugged) / 1_000_000 + " ms");
            grabber.stop();
        }
    }

    private static FFmpegFrameGrabber open(boolean mjpeg) throws FFmpegFrameGrabber.Exception {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(DEVICE);
        grabber.setFormat("video4linux2");
        if (mjpeg) {
            grabber.setOption("input_format", "mjpeg");
        }
        grabber.setOption("video_size", "640x480");
        grabber.setOption("framerate", "30.000");
        grabber.start();
        return grabber;
    }

    /** The next packet's bytes (its timestamp appended to {@code pts}), or null at the end. */
    private static byte[] packet(FFmpegFrameGrabber grabber, StringBuilder pts) throws FFmpegFrameGrabber.Exception {
        AVPacket packet = grabber.grabPacket();
        if (packet == null) {
            return null;
        }
        byte[] data = new byte[packet.size()];
        packet.data().position(0).limit(data.length).asByteBuffer().get(data);
        pts.append(packet.pts()).append('\n');
        avcodec.av_packet_unref(packet);
        return data;
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
