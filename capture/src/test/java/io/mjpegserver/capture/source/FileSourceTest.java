package io.mjpegserver.capture.source;

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
            assertTrue(source.passThrough(), "an MJPEG file at its own size is passed through");
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

    @Test
    void decodesScalesAndLoopsOtherCodecs() throws Exception {
        Path clip = Clips.make(dir.resolve("clip.mkv"), Clips.Codec.MPEG4_MKV, 320, 240, CLIP_FRAMES, 25);
        FileSource source = new FileSource(clip, new VideoSize(160, 120), 10, 80);
        source.open();
        try {
            assertFalse(source.passThrough());
            assertEquals(10.0, source.pacingFps(), 0.01, "--fps overrides the file's rate");
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

    @Test
    void saysWhichFileIsMissing() {
        Path missing = dir.resolve("nope.mp4");
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(missing, null, 0, 80).open());
        assertEquals("video file " + missing + " not found: check the path given to --file", e.getMessage());
    }

    @Test
    void saysWhenAFileIsNotVideo() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video at all\n".repeat(100));
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(text, null, 0, 80).open());
        assertTrue(e.getMessage().startsWith("video file " + text + " cannot be read by FFmpeg"), e.getMessage());
    }

    @Test
    void saysWhenAPathIsADirectory() {
        SourceException e = assertThrows(SourceException.class, () -> new FileSource(dir, null, 0, 80).open());
        assertEquals("video file " + dir + " is not a regular file: give --file a video file", e.getMessage());
    }

    private static List<byte[]> grab(FileSource source, int count) throws SourceException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuf jpeg = source.grab(PooledByteBufAllocator.DEFAULT);
            try {
                assertEquals(0xFFD8, jpeg.getUnsignedShort(0));
                assertEquals(0xFFD9, jpeg.getUnsignedShort(jpeg.writerIndex() - 2));
                frames.add(ByteBufUtil.getBytes(jpeg));
            } finally {
                jpeg.release();
            }
        }
        return frames;
    }
}
