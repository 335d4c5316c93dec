package io.mjpegserver.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fake camera of {@code capture/src/test/c/fakecam} for tests of either module: where its sources, library and
 * frames are, building them, and the JPEGs as a UVC camera sends them (without Huffman tables).
 */
public final class FakeCam {

    /** The path the camera answers for when {@code FAKECAM_DEVICE} is not set: {@code --device 7}. */
    public static final String DEVICE = "/dev/video7";
    /** The stable name the fixture links to {@link #DEVICE}, as udev makes for a USB camera. */
    public static final String BY_ID = "/dev/v4l/by-id/usb-FakeCam_FakeCam_0001-video-index0";

    private FakeCam() {
    }

    /** The capture module's directory, from the capture or the server module. */
    private static Path capture() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("src/test/c/fakecam")) ? here : here.resolveSibling("capture");
    }

    public static Path sources() {
        return capture().resolve("src/test/c/fakecam");
    }

    public static Path out() {
        return capture().resolve("target/fakecam");
    }

    public static Path library() {
        return out().resolve("libfakecam.so");
    }

    /** The test frames {@code make} writes: {@code 001.jpg}..{@code 005.jpg} (640x480), {@code hd-*.jpg}, {@code *.yuv}. */
    public static Path frames() {
        return out().resolve("frames");
    }

    /**
     * Builds the library and the frames with {@code make} (needs gcc, make and ffmpeg), within 120 s; fails with its
     * output otherwise.
     */
    public static void build() throws IOException, InterruptedException {
        Programs.require("gcc", "gcc");
        Programs.require("make", "make");
        Programs.require("ffmpeg", "ffmpeg");
        Files.createDirectories(out());
        Path log = out().resolve("build.log");
        Process make = new ProcessBuilder(List.of("make", "-C", sources().toString(), "all",
                frames().resolve("done").toString())).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(log.toFile()).start();
        if (!make.waitFor(120, TimeUnit.SECONDS)) {
            make.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("make ran past 120 s:\n" + Files.readString(log));
        }
        if (make.exitValue() != 0 || !Files.isRegularFile(library())) {
            throw new AssertionError("make failed:\n" + Files.readString(log));
        }
    }

    /** The JPEG as a UVC camera sends it: its DHT segments (all before the scan) left out. */
    public static byte[] withoutHuffmanTables(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) != 0xDA) {
            int segment = Math.min(2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF)), jpeg.length - i);
            if ((jpeg[i + 1] & 0xFF) != 0xC4) {
                out.write(jpeg, i, segment);
            }
            i += segment;
        }
        out.write(jpeg, i, jpeg.length - i);
        return out.toByteArray();
    }

    /** Whether {@code data} is a JPEG with a DHT segment before its scan. */
    public static boolean hasHuffmanTables(byte[] data) {
        boolean jpeg = data.length >= 4 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8;
        return jpeg && withoutHuffmanTables(data).length != data.length;
    }
}
