package io.mjpegserver.capture.derive;

import static io.mjpegserver.capture.derive.Pictures.box;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static io.mjpegserver.capture.derive.Pictures.near;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Transform.Crop;
import io.mjpegserver.capture.derive.Transform.Flip;
import io.mjpegserver.capture.derive.Transform.Overlay;
import io.mjpegserver.capture.derive.Transform.Rotation;
import io.mjpegserver.capture.derive.Transform.Scale;
import io.mjpegserver.capture.encode.JpegEncoder;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.testing.PatternMarker;
import io.mjpegserver.testing.PatternMarker.Orientation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameProcessorTest {

    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Processes {@code jpeg} once (as a live frame) and decodes the result, which must be {@code w} x {@code h}. */
    private static BufferedImage run(Transform t, byte[] jpeg, int width, int height, int w, int h) throws Exception {
        return run(t, jpeg, width, height, true, Pictures::direct, w, h);
    }

    private static BufferedImage run(Transform t, byte[] jpeg, int width, int height, boolean live,
            Function<byte[], ByteBuf> wrap, int w, int h) throws Exception {
        ByteBuf in = wrap.apply(jpeg);
        try (FrameProcessor processor = new FrameProcessor(t, "porch")) {
            ByteBuf out = processor.process(in, width, height, live, 0, ALLOC);
            assertEquals(Frame.HEADROOM, out.readerIndex(), "allocated with room for framing");
            assertEquals(w + "x" + h, processor.lastWidth() + "x" + processor.lastHeight());
            assertTrue(processor.lastNanos() > 0);
            return Pictures.decodeAndRelease(out, w, h);
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, false, false", "90, false, false", "180, false, false", "270, false, false",
        "0, true, false", "0, false, true", "90, true, false", "270, false, true",
    })
    void turnsAndFlipsThePatternAsAsked(int degrees, boolean horizontal, boolean vertical) throws Exception {
        byte[] pattern = Pictures.pattern(640, 360);
        Flip flip = horizontal ? Flip.HORIZONTAL : vertical ? Flip.VERTICAL : Flip.NONE;
        Transform t = Transform.quality(80).withRotation(Rotation.ofDegrees(degrees)).withFlip(flip);
        boolean quarter = degrees % 180 != 0;
        BufferedImage out = run(t, pattern, 640, 360, quarter ? 360 : 640, quarter ? 640 : 360);
        assertEquals(Orientation.after(degrees, horizontal, vertical), PatternMarker.find(out));
    }

    @Test
    void keepsEveryPixelOfASizeThatIsNoWholeNumberOfBlocks() throws Exception {
        // 1278x718: neither side a multiple of 16. The right edge is blue, the bottom edge red.
        byte[] jpeg = Pictures.drawn(1278, 718, 128, 90, box(1272, 0, 6, 718, 255, 0, 0), box(0, 712, 1272, 6, 0, 0, 255),
                box(20, 20, 40, 40, 0, 255, 0));
        BufferedImage out = run(Transform.quality(90).withRotation(Rotation.CW90), jpeg, 1278, 718, 718, 1278);
        // Turned clockwise: the right edge is now the bottom, the bottom edge the left, the top-left the top-right.
        assertTrue(near(out, 359, 1277, 0, 0, 255, 60), "the source's last column is the output's last row");
        assertTrue(near(out, 0, 639, 255, 0, 0, 60), "the source's last row is the output's first column");
        assertTrue(near(out, 718 - 40, 40, 0, 255, 0, 60), "the top-left box is top right");
    }

    @Test
    void scalesKeepingTheAspectAndDecodesReducedFirst() throws Exception {
        byte[] pattern = Pictures.pattern(1280, 720);
        BufferedImage out = run(Transform.quality(80).withScale(new Scale(320, 0)), pattern, 1280, 720, 320, 180);
        assertEquals(Orientation.UPRIGHT, PatternMarker.find(out));
        BufferedImage tall = run(Transform.quality(80).withScale(new Scale(0, 100)), pattern, 1280, 720, 178, 100);
        assertEquals(178, tall.getWidth(), "100 * 16 / 9 = 177.8, to even");
        assertEquals(4, ReducedDecoder.reduction(1280, 720, 320, 180), "a quarter of 1280x720 is just 320x180");
        assertEquals(2, ReducedDecoder.reduction(1920, 1080, 640, 360), "a quarter of 1080p is too small for 640");
        assertEquals(8, ReducedDecoder.reduction(1920, 1080, 160, 90));
        assertEquals(1, ReducedDecoder.reduction(1920, 1080, 1920, 1080));
    }

    @Test
    void cropsInSourcePixelsThenScales() throws Exception {
        // Four quadrants: blue, green / red, white.
        byte[] jpeg = Pictures.drawn(1280, 720, 0, 90, box(0, 0, 640, 360, 255, 0, 0), box(640, 0, 640, 360, 0, 255, 0),
                box(0, 360, 640, 360, 0, 0, 255), box(640, 360, 640, 360, 255, 255, 255));
        Transform t = Transform.quality(90).withCrop(Crop.parse("640x360+640+360"));
        BufferedImage white = run(t, jpeg, 1280, 720, 640, 360);
        for (int[] p : new int[][] {{4, 4}, {635, 4}, {4, 355}, {635, 355}, {320, 180}}) {
            assertTrue(near(white, p[0], p[1], 255, 255, 255, 40), "all white at " + p[0] + "," + p[1]);
        }
        // The green quadrant's lower half and the white one's upper half, scaled to half: the seam stays in the middle.
        Transform across = Transform.quality(90).withCrop(Crop.parse("640x360+640+180")).withScale(new Scale(320, 0));
        BufferedImage seam = run(across, jpeg, 1280, 720, 320, 180);
        assertTrue(near(seam, 160, 40, 0, 255, 0, 40), "green above");
        assertTrue(near(seam, 160, 140, 255, 255, 255, 40), "white below");
    }

    @Test
    void clampsACropThatDoesNotFitTheFrame() throws Exception {
        byte[] jpeg = Pictures.drawn(640, 360, 0, 90, box(600, 0, 40, 360, 255, 255, 255), box(0, 0, 40, 360, 0, 0, 255));
        Transform t = Transform.quality(90).withCrop(Crop.parse("1000x200+400+300"));
        assertEquals(new VideoSize(640, 200), t.outputSize(new VideoSize(640, 360)));
        BufferedImage out = run(t, jpeg, 640, 360, 640, 200);
        assertTrue(near(out, 630, 100, 255, 255, 255, 40), "the crop moved into the frame: the right edge");
        assertTrue(near(out, 10, 100, 255, 0, 0, 40), "the crop moved into the frame: the left edge");
    }

    @Test
    void readsCompositeAndHeapBuffersAsDirectOnes() throws Exception {
        byte[] pattern = Pictures.pattern(640, 360);
        Transform t = Transform.quality(80).withScale(new Scale(320, 0));
        for (Function<byte[], ByteBuf> wrap : List.<Function<byte[], ByteBuf>>of(Pictures::composite,
                Unpooled::wrappedBuffer)) {
            BufferedImage out = run(t, pattern, 640, 360, true, wrap, 320, 180);
            assertEquals(Orientation.UPRIGHT, PatternMarker.find(out));
        }
    }

    @Test
    void drawsTheOverlayLegiblyOnWhiteAndOnBlack() throws Exception {
        for (int level : new int[] {255, 0}) {
            byte[] plain = Pictures.drawn(640, 360, level, 90);
            Transform t = Transform.quality(90).withOverlay(new Overlay("%$ %Y-%m-%d %H:%M:%S", Overlay.Position.TOP_LEFT));
            BufferedImage out = run(t, plain, 640, 360, 640, 360);
            int light = 0;
            int dark = 0;
            int changed = 0;
            // The text's band: the top tenth, left half.
            for (int y = 0; y < 36; y++) {
                for (int x = 0; x < 320; x++) {
                    int luma = Pictures.rgb(out, x, y)[1];
                    light += luma > 200 ? 1 : 0;
                    dark += luma < 60 ? 1 : 0;
                    changed += Math.abs(luma - level) > 60 ? 1 : 0;
                }
            }
            String on = level == 255 ? "on white" : "on black";
            assertTrue(changed > 300, on + ": the text changed " + changed + " pixels");
            assertTrue(light > 100 && dark > 100, on + ": light " + light + " and dark " + dark + " pixels");
            for (int y = 180; y < 360; y += 20) {
                assertTrue(near(out, 320, y, level, level, level, 8), on + ": nothing drawn below the text");
            }
        }
        BufferedImage right = run(Transform.quality(90).withOverlay(new Overlay("%H:%M:%S", Overlay.Position.TOP_RIGHT)),
                Pictures.drawn(640, 360, 0, 90), 640, 360, 640, 360);
        int lightLeft = 0;
        int lightRight = 0;
        for (int y = 0; y < 36; y++) {
            for (int x = 0; x < 320; x++) {
                lightLeft += Pictures.rgb(right, x, y)[1] > 200 ? 1 : 0;
                lightRight += Pictures.rgb(right, 320 + x, y)[1] > 200 ? 1 : 0;
            }
        }
        assertEquals(0, lightLeft, "top-right text leaves the left alone");
        assertTrue(lightRight > 100, "top-right text: " + lightRight + " light pixels");
    }

    @Test
    void fitsNoSignalFramesToTheOutputUntransformed() throws Exception {
        byte[] pattern = Pictures.pattern(640, 360);
        Transform t = Transform.quality(90).withRotation(Rotation.CW90)
                .withOverlay(new Overlay("%$", Overlay.Position.TOP_LEFT));
        BufferedImage out = run(t, pattern, 640, 360, false, Pictures::direct, 360, 640);
        // 640x360 fitted into 360x640: 360x202 in the middle, dark above and below.
        int level = NoSignalImage.BACKGROUND_LEVEL;
        assertTrue(near(out, 180, 100, level, level, level, 12), "dark above");
        assertTrue(near(out, 180, 560, level, level, level, 12), "dark below");
        BufferedImage inner = out.getSubimage(0, 219, 360, 202);
        assertEquals(Orientation.UPRIGHT, PatternMarker.find(inner), "not turned");
    }

    @Test
    void failsOnACorruptFrameAndGoesOn() throws Exception {
        byte[] pattern = Pictures.pattern(640, 360);
        byte[] garbage = new byte[2000];
        Arrays.fill(garbage, (byte) 0x55);
        try (FrameProcessor processor = new FrameProcessor(Transform.quality(50), "porch")) {
            ByteBuf bad = Pictures.direct(garbage);
            try {
                SourceException e = assertThrows(SourceException.class, () -> processor.process(bad, 640, 360, true, 0, ALLOC));
                assertEquals("a frame of 2000 bytes is not a JPEG that can be decoded", e.getMessage());
            } finally {
                bad.release();
            }
            ByteBuf good = Pictures.direct(pattern);
            try {
                Pictures.decodeAndRelease(processor.process(good, 640, 360, true, 0, ALLOC), 640, 360);
            } finally {
                good.release();
            }
        }
    }

    @Test
    void encodesAtTheTransformsQuality() throws Exception {
        byte[] pattern = Pictures.pattern(1280, 720);
        int[] sizes = new int[2];
        int i = 0;
        for (int quality : new int[] {30, 95}) {
            ByteBuf in = Pictures.direct(pattern);
            try (FrameProcessor processor = new FrameProcessor(Transform.quality(quality), "porch")) {
                ByteBuf out = processor.process(in, 1280, 720, true, 0, ALLOC);
                sizes[i++] = out.readableBytes();
                Pictures.decodeAndRelease(out, 1280, 720);
            } finally {
                in.release();
            }
        }
        assertTrue(sizes[0] * 3 < sizes[1] * 2, "quality 30: " + sizes[0] + " bytes, 95: " + sizes[1]);
    }

    @Test
    void keepsAGreyFeedGrey() throws Exception {
        byte[] grey;
        try (Scalar level = new Scalar(200.0); Mat image = new Mat(360, 640, CV_8UC1, level);
                JpegEncoder encoder = new JpegEncoder(80)) {
            ByteBuf jpeg = encoder.encode(image, ALLOC);
            grey = ByteBufUtil.getBytes(jpeg);
            jpeg.release();
        }
        ByteBuf in = Pictures.direct(grey);
        try (FrameProcessor processor = new FrameProcessor(Transform.quality(80).withScale(new Scale(320, 0)), "porch")) {
            assertEquals(1, ReducedDecoder.components(in), "a grey JPEG");
            ByteBuf out = processor.process(in, 640, 360, true, 0, ALLOC);
            int components = ReducedDecoder.components(out);
            BufferedImage image = Pictures.decodeAndRelease(out, 320, 180);
            assertEquals(1, components, "still one component");
            // The raster's own value: getRGB would convert the grey colour space.
            assertEquals(200, image.getRaster().getSample(160, 90, 0), 4);
        } finally {
            in.release();
        }
    }
}
