package io.mjpegserver.capture.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import javax.imageio.plugins.jpeg.JPEGHuffmanTable;
import org.junit.jupiter.api.Test;

class StandardHuffmanTablesTest {

    /** The K.3 tables as the JDK spells them: an independent copy of the standard's Tables K.3 to K.6. */
    @Test
    void segmentsHoldTheTablesOfAnnexK3() {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        dht(expected, 0x00, JPEGHuffmanTable.StdDCLuminance);
        dht(expected, 0x10, JPEGHuffmanTable.StdACLuminance);
        dht(expected, 0x01, JPEGHuffmanTable.StdDCChrominance);
        dht(expected, 0x11, JPEGHuffmanTable.StdACChrominance);
        assertArrayEquals(expected.toByteArray(), ByteBufUtil.getBytes(StandardHuffmanTables.SEGMENTS));
    }

    /** OpenCV's libjpeg-turbo with optimisation off writes exactly these segments, so stripped frames come back whole. */
    @Test
    void libjpegTurboWritesTheSameSegmentsWhenNotOptimising() throws Exception {
        byte[] jpeg = TestJpegs.encode(640, 480, 1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        for (int at : TestJpegs.segments(jpeg, TestJpegs.DHT)) {
            written.write(jpeg, at, 2 + TestJpegs.length(jpeg, at));
        }
        assertArrayEquals(ByteBufUtil.getBytes(StandardHuffmanTables.SEGMENTS), written.toByteArray());
    }

    @Test
    void theSharedBufferCannotBeReleasedNorWritten() {
        ByteBuf tables = StandardHuffmanTables.SEGMENTS;
        assertTrue(tables.isDirect());
        assertTrue(tables.isReadOnly());
        ByteBuf duplicate = tables.duplicate();
        assertFalse(duplicate.release());
        assertFalse(tables.release());
        assertEquals(0xFFC4, tables.getUnsignedShort(0), "still readable");
        assertThrows(RuntimeException.class, () -> duplicate.setByte(0, 0));
        assertThrows(RuntimeException.class, () -> tables.setByte(0, 0));
    }

    private static void dht(ByteArrayOutputStream out, int classAndDestination, JPEGHuffmanTable table) {
        short[] lengths = table.getLengths();
        short[] values = table.getValues();
        int length = 2 + 1 + lengths.length + values.length;
        out.write(0xFF);
        out.write(0xC4);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.write(classAndDestination);
        for (short count : lengths) {
            out.write(count);
        }
        for (short value : values) {
            out.write(value);
        }
    }
}
