package io.mjpegserver.capture.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.VideoSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JpegStageTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static byte[] original;
    private static byte[] stripped;

    @BeforeAll
    static void encode() throws Exception {
        original = TestJpegs.encode(640, 480, 7);
        stripped = TestJpegs.withoutTables(original);
    }

    /** A pooled direct buffer holding {@code bytes}, as a source hands the stage, with some bytes before them. */
    private static ByteBuf frame(byte[] bytes) {
        ByteBuf buf = ALLOC.directBuffer(bytes.length + 8);
        buf.writeZero(8).readerIndex(8); // a frame that does not start at index 0, as a slice of what was read
        return buf.writeBytes(bytes);
    }

    @Test
    void wholeFramePassesThroughAsTheSameBuffer() {
        JpegStage stage = new JpegStage();
        ByteBuf in = frame(original);
        ByteBuf out = stage.process(in, ALLOC);
        try {
            assertSame(in, out);
            assertEquals(1, out.refCnt());
            assertEquals(8, out.readerIndex());
            assertEquals(original.length, out.readableBytes());
            assertEquals(new VideoSize(640, 480), stage.size(out));
        } finally {
            ReferenceCountUtil.release(out);
        }
    }

    @ParameterizedTest
    @CsvSource({"640, 480", "1280, 720", "1000, 562", "16, 16"})
    void strippedFrameComesBackDecodingToExactlyTheOriginalPixels(int width, int height) throws Exception {
        byte[] jpeg = TestJpegs.encode(width, height, width);
        byte[] withoutTables = TestJpegs.withoutTables(jpeg);
        // Both decoders here supply the K.3 tables themselves when a frame has none, so the pixels prove the
        // inserted tables are the right ones in the right place; that they were inserted at all is proven by
        // the composite and by the bytes, equal to the encoder's.
        JpegStage stage = new JpegStage();
        ByteBuf out = stage.process(frame(withoutTables), ALLOC);
        try {
            assertInstanceOf(CompositeByteBuf.class, out);
            byte[] completed = ByteBufUtil.getBytes(out);
            assertDecodesAs(jpeg, completed);
            // Tables where libjpeg writes them, just before SOS: the encoder's bytes, restored exactly.
            assertArrayEquals(jpeg, completed);
            assertEquals(new VideoSize(width, height), stage.size(out));
        } finally {
            ReferenceCountUtil.release(out);
        }
    }

    @Test
    void compositeSharesTheFramesMemoryAndOneTableBuffer() {
        JpegStage stage = new JpegStage();
        ByteBuf first = frame(stripped);
        ByteBuf second = frame(stripped);
        assertTrue(first.hasMemoryAddress(), "pooled direct buffers have an address here");
        long firstAddress = first.memoryAddress() + first.readerIndex();
        long secondAddress = second.memoryAddress() + second.readerIndex();
        int scanStart = TestJpegs.segments(stripped, TestJpegs.SOS)[0];

        CompositeByteBuf a = (CompositeByteBuf) stage.process(first, ALLOC);
        CompositeByteBuf b = (CompositeByteBuf) stage.process(second, ALLOC);
        try {
            assertEquals(3, a.numComponents());
            assertEquals(firstAddress, a.component(0).memoryAddress(), "headers: the frame's own bytes");
            assertEquals(scanStart, a.component(0).readableBytes());
            assertEquals(firstAddress + scanStart, a.component(2).memoryAddress(), "scan: the frame's own bytes");
            assertEquals(stripped.length - scanStart, a.component(2).readableBytes());
            assertEquals(secondAddress, b.component(0).memoryAddress());
            long tables = StandardHuffmanTables.SEGMENTS.memoryAddress();
            assertEquals(tables, a.component(1).memoryAddress(), "one shared table buffer");
            assertEquals(tables, b.component(1).memoryAddress(), "one shared table buffer");
        } finally {
            a.release();
            b.release();
        }
    }

    @Test
    void releasingTheCompositeReleasesTheFrameAndNeverTheTables() {
        JpegStage stage = new JpegStage();
        ByteBuf in = frame(stripped);
        ByteBuf out = stage.process(in, ALLOC);
        assertEquals(1, out.refCnt());
        assertEquals(2, in.refCnt(), "the composite's two slices hold the frame; the caller's reference was released");
        ByteBuf forClient = out.retainedSlice(); // what a stream writer does per client
        out.release();
        assertEquals(2, in.refCnt(), "a client's slice keeps the composite and so the frame alive");
        forClient.release();
        assertEquals(0, in.refCnt());
        assertEquals(0xFFC4, StandardHuffmanTables.SEGMENTS.getUnsignedShort(0), "the tables outlive every frame");
    }

    @Test
    void compositeCannotWriteIntoTheSharedTables() {
        JpegStage stage = new JpegStage();
        ByteBuf out = stage.process(frame(stripped), ALLOC);
        try {
            int tablesAt = TestJpegs.segments(stripped, TestJpegs.SOS)[0];
            assertThrows(RuntimeException.class, () -> out.setByte(tablesAt, 0));
            assertEquals(0xFFC4, StandardHuffmanTables.SEGMENTS.getUnsignedShort(0));
            assertEquals(0xFFC4, out.getUnsignedShort(tablesAt));
        } finally {
            ReferenceCountUtil.release(out);
        }
    }

    @Test
    void readOnlyFramesAreCompletedToo() {
        JpegStage stage = new JpegStage();
        ByteBuf in = frame(stripped).asReadOnly();
        ByteBuf out = stage.process(in, ALLOC);
        try {
            assertArrayEquals(original, ByteBufUtil.getBytes(out));
        } finally {
            ReferenceCountUtil.release(out);
        }
        assertEquals(0, in.refCnt());
    }

    @Test
    void avi1FramesFromMotionJpegCamerasGetTheirTables() throws Exception {
        byte[] avi1 = TestJpegs.withAvi1(stripped);
        byte[] completed = completed(new JpegStage(), avi1);
        assertDecodesAs(original, completed);
        assertArrayEquals(TestJpegs.withAvi1(original), completed);
    }

    @Test
    void fillBytesAndStandaloneMarkersAreSkipped() throws Exception {
        int dqt = TestJpegs.segments(stripped, 0xDB)[0];
        int sos = TestJpegs.segments(stripped, TestJpegs.SOS)[0];
        // Fill bytes before SOS and DQT, and the parameterless TEM and RST0 markers between segments.
        byte[] marked = TestJpegs.splice(stripped, sos, 0, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        marked = TestJpegs.splice(marked, dqt, 0, new byte[] {(byte) 0xFF, 0x01, (byte) 0xFF, (byte) 0xD0, (byte) 0xFF});

        JpegStage stage = new JpegStage();
        ByteBuf out = stage.process(frame(marked), ALLOC);
        try {
            assertInstanceOf(CompositeByteBuf.class, out, "tables inserted");
            assertDecodesAs(original, ByteBufUtil.getBytes(out));
        } finally {
            ReferenceCountUtil.release(out);
        }

        // The same markers in a frame with its tables: they are seen, nothing is inserted.
        int dht = TestJpegs.segments(original, TestJpegs.DHT)[0];
        byte[] whole = TestJpegs.splice(original, dht, 0, new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01, (byte) 0xFF});
        ByteBuf in = frame(whole);
        assertSame(in, stage.process(in, ALLOC), "nothing inserted");
        in.release();
    }

    @Test
    void zeroPaddingAfterEoiIsTrimmedWithoutACopy() {
        byte[] padded = Arrays.copyOf(original, original.length + 37);
        JpegStage stage = new JpegStage();
        ByteBuf in = frame(padded);
        ByteBuf out = stage.process(in, ALLOC);
        try {
            assertNotSame(in, out);
            assertEquals(in.memoryAddress() + in.readerIndex(), out.memoryAddress());
            assertArrayEquals(original, ByteBufUtil.getBytes(out));
        } finally {
            ReferenceCountUtil.release(out);
        }
        assertEquals(0, in.refCnt(), "the trimmed slice carried the frame's reference");

        assertArrayEquals(original, completed(stage, Arrays.copyOf(stripped, stripped.length + 5)));
    }

    @ParameterizedTest
    @CsvSource({
        "empty, NO_SOI",
        "zeros, NO_SOI",
        "no SOI, NO_SOI",
        "cut short in the scan, NO_EOI",
        "cut short in the headers, NO_EOI",
        "bytes after EOI, NO_EOI",
        "segment length past the end, SEGMENT_PAST_END",
        "garbage between SOI and EOI, NOT_A_MARKER",
        "a segment length under 2, NOT_A_MARKER",
        "only SOI and EOI, NO_SCAN",
        "tables but no scan, NO_SCAN",
        "a scan before any frame header, NO_FRAME_HEADER",
    })
    void framesThatAreNotWholeAreDropped(String kind, JpegHeaders.Defect defect) {
        byte[] bad = notWhole(kind);
        JpegStage stage = new JpegStage();
        ByteBuf good = frame(original);
        assertSame(good, stage.process(good, ALLOC));
        good.release();

        ByteBuf in = frame(bad);
        assertEquals(defect, new JpegHeaders().readWhole(in, in.readerIndex(), JpegHeaders.endWithoutPadding(in)));
        assertNull(stage.process(in, ALLOC), kind);
        assertEquals(0, in.refCnt(), "released");

        ByteBuf after = frame(stripped);
        ByteBuf completed = stage.process(after, ALLOC);
        assertNotNull(completed, "the next whole frame passes");
        completed.release();
    }

    @ParameterizedTest
    @CsvSource({"640, 480", "1280, 720", "1920, 1080"})
    void sizeReadsTheFrameHeader(int width, int height) throws Exception {
        byte[] jpeg = TestJpegs.encode(width, height, 5);
        ByteBuf buf = frame(jpeg);
        try {
            assertEquals(new VideoSize(width, height), new JpegStage().size(buf));
            assertEquals(new VideoSize(width, height), size(TestJpegs.withoutTables(jpeg)));
            assertEquals(8, buf.readerIndex(), "read without moving the reader index");
            assertEquals(1, buf.refCnt(), "the caller's");
        } finally {
            buf.release();
        }
    }

    @Test
    void sizeReadsExtendedAndProgressiveFrameHeadersAndHeadersAlone() throws Exception {
        int sof = TestJpegs.segments(original, 0xC0)[0];
        byte[] extended = original.clone();
        extended[sof + 1] = (byte) 0xC1;
        assertEquals(new VideoSize(640, 480), size(extended));

        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        ByteArrayOutputStream progressive = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(progressive)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] progressiveJpeg = progressive.toByteArray();
        assertEquals(1, TestJpegs.segments(progressiveJpeg, 0xC2).length, "ImageIO wrote SOF2");
        assertEquals(new VideoSize(320, 240), size(progressiveJpeg));

        int sos = TestJpegs.segments(original, TestJpegs.SOS)[0];
        assertEquals(new VideoSize(640, 480), size(Arrays.copyOf(original, sos)), "headers alone, no EOI");
    }

    @Test
    void sizeIsNullWithoutAFrameHeaderOrForASizeTheServerCannotHold() {
        int sof = TestJpegs.segments(original, 0xC0)[0];
        assertNull(size(Arrays.copyOf(original, sof)), "cut short before SOF");
        assertNull(size(Arrays.copyOfRange(original, 2, original.length)), "no SOI");
        assertNull(size(notWhole("a scan before any frame header")));
        assertNull(size(notWhole("garbage between SOI and EOI")));
        assertNull(size(new byte[0]));
        byte[] odd = original.clone();
        odd[sof + 8] = (byte) 0x81; // width 641
        assertNull(size(odd));

        JpegStage stage = new JpegStage();
        ByteBuf out = stage.process(frame(odd), ALLOC);
        assertNotNull(out, "an odd size is no reason to drop a frame");
        assertNull(stage.size(out));
        out.release();
    }

    /** The bytes of what {@code stage} makes of {@code jpeg}, which is released; fails when it was dropped. */
    private static byte[] completed(JpegStage stage, byte[] jpeg) {
        ByteBuf in = frame(jpeg);
        ByteBuf out = stage.process(in, ALLOC);
        assertNotNull(out, "dropped");
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            assertEquals(0, in.refCnt(), "the frame released with what the stage made of it");
        }
    }

    /** Both decoders give {@code completed} the pixels of {@code expected}. */
    private static void assertDecodesAs(byte[] expected, byte[] completed) throws Exception {
        assertArrayEquals(TestJpegs.decodeWithImageIo(expected), TestJpegs.decodeWithImageIo(completed));
        assertArrayEquals(TestJpegs.decodeWithOpenCv(expected), TestJpegs.decodeWithOpenCv(completed));
    }

    private static VideoSize size(byte[] jpeg) {
        ByteBuf buf = frame(jpeg);
        try {
            return new JpegStage().size(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] notWhole(String kind) {
        int sos = TestJpegs.segments(original, TestJpegs.SOS)[0];
        int dqt = TestJpegs.segments(original, 0xDB)[0];
        byte[] eoi = {(byte) 0xFF, (byte) 0xD9};
        switch (kind) {
            case "empty":
                return new byte[0];
            case "zeros":
                return new byte[100];
            case "no SOI":
                return Arrays.copyOfRange(original, 2, original.length);
            case "cut short in the scan":
                return Arrays.copyOf(original, original.length * 3 / 5);
            case "cut short in the headers":
                return Arrays.copyOf(original, sos - 10);
            case "bytes after EOI":
                return TestJpegs.splice(original, original.length, 0, new byte[] {0, 0, 1, 0});
            case "segment length past the end": {
                // What a cut-short frame looks like when its last bytes happen to be FF D9.
                byte[] cut = Arrays.copyOf(original, dqt + 30);
                return TestJpegs.splice(cut, cut.length, 0, eoi);
            }
            case "garbage between SOI and EOI": {
                byte[] garbage = new byte[4000];
                new Random(3).nextBytes(garbage);
                garbage[0] = 0x12; // not FF: not a marker
                byte[] framed = TestJpegs.splice(garbage, 0, 0, new byte[] {(byte) 0xFF, (byte) 0xD8});
                return TestJpegs.splice(framed, framed.length, 0, eoi);
            }
            case "a segment length under 2": {
                byte[] bent = original.clone();
                bent[dqt + 2] = 0;
                bent[dqt + 3] = 1;
                return bent;
            }
            case "only SOI and EOI":
                return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9};
            case "tables but no scan":
                return TestJpegs.splice(Arrays.copyOf(original, sos), sos, 0, eoi);
            case "a scan before any frame header": {
                int sof = TestJpegs.segments(original, 0xC0)[0];
                return TestJpegs.splice(original, sof, 2 + TestJpegs.length(original, sof), new byte[0]);
            }
            default:
                throw new IllegalArgumentException(kind);
        }
    }
}
