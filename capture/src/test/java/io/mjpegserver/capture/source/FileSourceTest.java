package io.mjpegserver.capture.source;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.testing.Clips;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {

    private static final int CLIP_FRAMES = 12;

    @TempDir
    Path dir;

    @Test
    void passesMjpegThroughAndLoops() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.avi"), Clips.Codec.MJPEG_AVI, 320, 240, CLIP_FRAMES, 25);
        FileSource source = new FileSource(clip, null, 0, 80);
        source.open();
        try {
            assertTrue(source.passesThrough(), "an MJPEG file at its own size is passed through");
            assertEquals(320, source.width());
            assertEquals(240, source.height());
            assertEquals(25.0, source.pacingFps(), 0.01, "the file's own rate");
            List<byte[]> frames = grab(source, CLIP_FRAMES * 2 + 1);
            for (int i = 0; i < CLIP_FRAMES; i++) {
                assertArrayEquals(frames.get(i), frames.get(i + CLIP_FRAMES), "frame " + i + " again after the loop");
            }
            assertFalse(java.util.Arrays.equals(frames.get(0), frames.get(1)), "frames differ");
        } finally {
            source.close();
        }
    }

    /**
     * JavaCV's {@code grabPacket} hands out its one packet, holding FFmpeg's reference to the data read, and the
     * next read does not drop it: a frame passed through must leave the packet empty, or every frame read stays in
     * the native heap (30 frames a second, for as long as the server runs).
     */
    @Test
    void passingThroughHoldsNoPacketData() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.avi"), Clips.Codec.MJPEG_AVI, 320, 240, CLIP_FRAMES, 25);
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(clip.toFile());
        grabber.start();
        try {
            // The same object every call: this one read gives the test the packet FileFrames reads into.
            AVPacket packet = grabber.grabPacket();
            av_packet_unref(packet);
            FileFrames frames = new FileFrames(grabber, clip, true, 25);
            // Across the loop: the rewind reads on as well.
            for (int i = 0; i < CLIP_FRAMES * 2 + 1; i++) {
                ByteBuf jpeg = frames.next(null, PooledByteBufAllocator.DEFAULT, i * 40_000L);
                try {
                    assertEquals(0xFFD8, jpeg.getUnsignedShort(jpeg.readerIndex()), "frame " + i + " is a JPEG");
                } finally {
                    jpeg.release();
                }
                assertEquals(0, packet.size(), "frame " + i + ": the packet's data was let go");
                assertTrue(packet.buf() == null || packet.buf().isNull(), "frame " + i + ": no reference is held");
            }
        } finally {
            grabber.close();
        }
    }

    @Test
    void decodesScalesAndLoopsOtherCodecs() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.mkv"), Clips.Codec.MPEG4_MKV, 320, 240, CLIP_FRAMES, 25);
        FileSource source = new FileSource(clip, new VideoSize(160, 120), 0, 80);
        source.open();
        try {
            assertFalse(source.passesThrough());
            assertEquals(25.0, source.pacingFps(), 0.01, "the file's own rate");
            List<byte[]> frames = grab(source, CLIP_FRAMES * 2 + 1);
            int brightestAt = -1;
            int brightest = -1;
            for (int i = 0; i < frames.size(); i++) {
                BufferedImage image = Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(frames.get(i)));
                assertEquals(160, image.getWidth());
                assertEquals(120, image.getHeight());
                int level = Jpegs.luma(image, 2, 2);
                if (level > brightest) {
                    brightest = level;
                    brightestAt = i;
                }
            }
            // The grey level rises through the clip, so the brightest frame is its last, and then it starts over.
            assertEquals(CLIP_FRAMES - 1, brightestAt % CLIP_FRAMES);
            BufferedImage again = Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(frames.get(CLIP_FRAMES)));
            assertTrue(Jpegs.luma(again, 2, 2) < brightest - 60, "looped back to the dark first frame");
        } finally {
            source.close();
        }
    }

    /**
     * --fps sets the output rate, not the playback speed: at 5 fps out of a 25 fps clip, output frame k shows
     * clip frame 5k (every fifth frame, none in slow motion), not clip frames 0 to 29 for 30 frames out.
     */
    @Test
    void aClipPlaysAtItsOwnSpeedAtALowerOutputRate() throws Exception {
        for (Clips.Codec codec : Clips.Codec.values()) {
            Path clip = Clips.makeNumbered(dir.resolve("numbered." + codec.extension), codec, 320, 240, 200, 25);
            List<Integer> shown = numbers(clip, 5, 30);
            System.out.printf("%s at --fps 5: %.2f s of a 25 fps clip in 6 s of output%n", codec, (shown.get(29) + 1) / 25.0);
            for (int k = 0; k < 30; k++) {
                assertEquals(5 * k, shown.get(k), 1, codec + ": output frame " + k + " of " + shown);
            }
        }
    }

    /** Above the clip's rate, frames repeat (byte for byte when passed through): the clip still plays at its speed. */
    @Test
    void aClipPlaysAtItsOwnSpeedAtAHigherOutputRateAndLoops() throws Exception {
        Path clip = Clips.makeNumbered(dir.resolve("numbered.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 20, 10);
        FileSource source = new FileSource(clip, null, 20, 80);
        source.open();
        try {
            assertTrue(source.passesThrough());
            assertEquals(20.0, source.pacingFps(), 0.01, "the output rate");
            List<byte[]> frames = grab(source, 60);
            List<Integer> shown = new ArrayList<>();
            for (byte[] jpeg : frames) {
                shown.add(Clips.number(Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(jpeg))));
            }
            for (int k = 0; k < 60; k++) {
                assertEquals((k / 2) % 20, shown.get(k), "output frame " + k + " of " + shown);
            }
            assertArrayEquals(frames.get(0), frames.get(1), "a repeated frame is the same JPEG");
        } finally {
            source.close();
        }
    }

    /**
     * A raw MJPEG stream (JPEGs back to back, {@code ffmpeg -i in.mp4 -c:v mjpeg clip.mjpeg}) whose first JPEG is
     * larger than FFmpeg's probe reads, as at high resolutions: FFmpeg's probe takes it for one JPEG, yet it is a
     * video, played at the rate FFmpeg gives a raw stream (25) or at --fps.
     */
    @Test
    void aRawMjpegStreamIsAVideoAtItsRate() throws Exception {
        Path clip = Clips.makeRawMjpegWithLargeFirstFrame(dir.resolve("clip.mjpeg"), 320, 240, 20, 25);
        for (double fps : new double[] {0, 10}) {
            FileSource source = new FileSource(clip, null, fps, 80);
            source.open();
            try {
                assertTrue(source.passesThrough());
                assertEquals(fps == 0 ? 25.0 : fps, source.pacingFps(), 0.01, "--fps " + fps);
                List<Integer> shown = new ArrayList<>();
                for (byte[] jpeg : grab(source, 45)) {
                    shown.add(Clips.number(Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(jpeg))));
                }
                for (int k = 0; k < 45; k++) {
                    int expected = fps == 0 ? k % 20 : (int) Math.round(k * 2.5) % 20;
                    assertEquals(expected, shown.get(k), 1, "--fps " + fps + ": output frame " + k + " of " + shown);
                }
            } finally {
                source.close();
            }
        }
    }

    /**
     * A multipart stream recorded to a file ({@code curl http://.../stream > rec.mjpg}, stopped mid-frame) loops:
     * FFmpeg cannot seek it by time, so it goes back to its first byte; the part cut short is skipped.
     */
    @Test
    void aRecordedMultipartStreamLoops() throws Exception {
        Path clip = Clips.makeNumbered(dir.resolve("numbered.avi"), Clips.Codec.MJPEG_AVI, 320, 240, 10, 25);
        Path recording = Clips.recordMultipart(clip, dir.resolve("rec.mjpg"));
        FileSource source = new FileSource(recording, null, 0, 80);
        source.open();
        try {
            assertTrue(source.passesThrough());
            List<Integer> shown = new ArrayList<>();
            for (byte[] jpeg : grab(source, 35)) {
                shown.add(Clips.number(Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(jpeg))));
            }
            for (int k = 0; k < 35; k++) {
                assertEquals(k % 10, shown.get(k), "output frame " + k + " of " + shown);
            }
        } finally {
            source.close();
        }
    }

    /**
     * A still image is read once and served at the output rate, the same picture each time, never failing (a
     * failing grab would flap the feed to NO SIGNAL).
     */
    @Test
    void aStillImageIsServedAsAStill() throws Exception {
        for (String name : List.of("still.jpg", "still.png")) {
            Path still = Clips.still(dir.resolve(name), 320, 240, 90);
            FileSource source = new FileSource(still, null, 0, 80);
            source.open();
            try {
                assertEquals(1.0, source.pacingFps(), 0.01, name + ": one frame a second unless --fps says otherwise");
                assertEquals(320, source.width());
                List<byte[]> frames = grab(source, 5);
                for (byte[] frame : frames) {
                    assertArrayEquals(frames.get(0), frame, name + ": the same picture every time");
                }
                if (name.endsWith(".jpg")) {
                    assertArrayEquals(Files.readAllBytes(still), frames.get(0), "a JPEG still goes out as the file has it");
                }
                BufferedImage image = Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(frames.get(0)));
                assertEquals(255, Jpegs.luma(image, 160, 120), 8, name + ": the square");
                assertEquals(90, Jpegs.luma(image, 4, 4), 8, name + ": the background");
            } finally {
                source.close();
            }
        }
        FileSource scaled = new FileSource(Clips.still(dir.resolve("scaled.jpg"), 320, 240, 90), new VideoSize(160, 120), 7, 80);
        scaled.open();
        try {
            assertEquals(7.0, scaled.pacingFps(), 0.01, "--fps sets a still's output rate");
            BufferedImage image = Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(grab(scaled, 3).get(2)));
            assertEquals(160, image.getWidth(), "--size scales a still");
        } finally {
            scaled.close();
        }
    }

    @Test
    void saysWhichFileIsMissing() {
        Path missing = dir.resolve("nope.mp4");
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(missing, null, 0, 80).open());
        assertEquals("video file " + missing + " not found: check the path given to --file", e.getMessage());
    }

    /** A file that is not a video is said so in our words, not FFmpeg's ({@code avformat_open_input() error ...}). */
    @Test
    void saysWhenAFileIsNotVideo() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video at all\n".repeat(100));
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(text, null, 0, 80).open());
        assertEquals("video file " + text + " is not a video or an image in a format we can read: give --file a video"
                + " (mp4, mkv, avi, ...) or an image (jpg, png)", e.getMessage());
    }

    @Test
    void saysWhenAFileIsEmpty() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mkv"));
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(empty, null, 0, 80).open());
        assertEquals("video file " + empty + " is empty: give --file a video or an image", e.getMessage());
    }

    /** A clip cut short (a copy still in progress): our words, never the library's. */
    @Test
    void saysWhenAFileIsCutShort() throws Exception {
        Path clip = Clips.make(dir.resolve("whole.mkv"), Clips.Codec.MPEG4_MKV, 320, 240, CLIP_FRAMES, 25);
        byte[] bytes = Files.readAllBytes(clip);
        Path cut = Files.write(dir.resolve("cut.mkv"), java.util.Arrays.copyOf(bytes, 40));
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(cut, null, 0, 80).open());
        assertTrue(e.getMessage().startsWith("video file " + cut + " "), e.getMessage());
        for (String internal : List.of("avformat", "error -", "setFormat", "FFmpegLogCallback", "()")) {
            assertFalse(e.getMessage().contains(internal), "no library internals: " + e.getMessage());
        }
    }

    @Test
    void saysWhenAPathIsADirectory() {
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(dir, null, 0, 80).open());
        assertEquals("video file " + dir + " is not a regular file: give --file a video file", e.getMessage());
    }

    /** The clip frame numbers shown by {@code count} frames at {@code fps} out of {@code clip}. */
    private static List<Integer> numbers(Path clip, double fps, int count) throws Exception {
        FileSource source = new FileSource(clip, null, fps, 80);
        source.open();
        try {
            assertEquals(fps, source.pacingFps(), 0.01, "the capture thread paces at the output rate");
            List<Integer> shown = new ArrayList<>();
            for (byte[] jpeg : grab(source, count)) {
                shown.add(Clips.number(Jpegs.decode(io.netty.buffer.Unpooled.wrappedBuffer(jpeg))));
            }
            return shown;
        } finally {
            source.close();
        }
    }

    private static List<byte[]> grab(FileSource source, int count) throws SourceException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuf jpeg = source.grab(PooledByteBufAllocator.DEFAULT);
            try {
                assertEquals(0xFFD8, jpeg.getUnsignedShort(jpeg.readerIndex()));
                assertEquals(0xFFD9, jpeg.getUnsignedShort(jpeg.writerIndex() - 2));
                frames.add(ByteBufUtil.getBytes(jpeg));
            } finally {
                jpeg.release();
            }
        }
        return frames;
    }
}
