package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamParserTest {

    record Seen(long length, long sequence, long timestampMicros, long arrivalMicros, boolean valid) {
    }

    /** A parser and what it reports; its clock counts how often the parser read it. */
    static final class Recorder implements PartListener {
        final StreamParser parser = new StreamParser(this, this::tick);
        final List<Seen> parts = new ArrayList<>();
        int ends;
        long clock;

        long tick() {
            return ++clock;
        }

        @Override
        public void onPart(long length, long sequence, long timestampMicros, long arrivalMicros, boolean validJpeg) {
            parts.add(new Seen(length, sequence, timestampMicros, arrivalMicros, validJpeg));
        }

        @Override
        public void onEnd() {
            ends++;
        }
    }

    private static StreamBytes threeParts(StreamBytes s) {
        return s.part(7, "1795463150.916746", StreamBytes.jpeg(40))
                .part(8, "1795463150.950079", StreamBytes.jpeg(5))
                .part(10, "1795463151.000000", StreamBytes.jpeg(4));
    }

    private static void assertThreeParts(Recorder r) {
        assertEquals(List.of(
                new Seen(40, 7, 1_795_463_150_916_746L, 1, true),
                new Seen(5, 8, 1_795_463_150_950_079L, 2, true),
                new Seen(4, 10, 1_795_463_151_000_000L, 3, true)), r.parts);
    }

    /** Feeds {@code bytes} in pieces ending at {@code cuts}, each in its own pooled direct buffer, released after. */
    static void feed(StreamParser parser, byte[] bytes, int... cuts) throws ProtocolException {
        int from = 0;
        int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = bytes.length;
        for (int to : ends) {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, to - from));
            try {
                buf.writeBytes(bytes, from, to - from);
                parser.feed(buf);
                assertEquals(0, buf.readableBytes(), "the parser consumes every byte it is given");
            } finally {
                buf.release();
            }
            from = to;
        }
    }

    private static Recorder parse(byte[] bytes, int... cuts) throws ProtocolException {
        Recorder r = new Recorder();
        feed(r.parser, bytes, cuts);
        r.parser.endOfInput();
        return r;
    }

    private static ProtocolException failure(byte[] bytes) {
        return assertThrows(ProtocolException.class, () -> parse(bytes));
    }

    @Test
    void chunkedStreamYieldsEveryPartWithItsHeaders() throws ProtocolException {
        Recorder r = parse(threeParts(StreamBytes.chunked()).bytes());
        assertTrue(r.parser.chunked());
        assertEquals(StreamBytes.BOUNDARY, r.parser.boundary());
        assertThreeParts(r);
    }

    @Test
    void rawStreamYieldsEveryPartAndEndsCleanlyBetweenParts() throws ProtocolException {
        Recorder r = parse(threeParts(StreamBytes.raw()).bytes());
        assertFalse(r.parser.chunked());
        assertThreeParts(r);
    }

    @Test
    void chunkedSplitAtEveryOffset() throws ProtocolException {
        byte[] bytes = threeParts(StreamBytes.chunked()).bytes();
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThreeParts(parse(bytes, cut));
        }
    }

    @Test
    void rawSplitAtEveryOffset() throws ProtocolException {
        byte[] bytes = threeParts(StreamBytes.raw()).bytes();
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThreeParts(parse(bytes, cut));
        }
    }

    @Test
    void oneByteAtATimeAndRandomPieces() throws ProtocolException {
        for (StreamBytes s : List.of(StreamBytes.chunked(), StreamBytes.raw())) {
            byte[] bytes = threeParts(s).bytes();
            int[] everyByte = new int[bytes.length - 1];
            Arrays.setAll(everyByte, i -> i + 1);
            assertThreeParts(parse(bytes, everyByte));
            Random random = new Random(42);
            for (int run = 0; run < 200; run++) {
                int[] cuts = random.ints(1 + random.nextInt(8), 1, bytes.length).sorted().distinct().toArray();
                assertThreeParts(parse(bytes, cuts));
            }
        }
    }

    @Test
    void arrivalIsTakenWhenTheLastJpegByteArrivesButReportedAfterTheDelimiter() throws ProtocolException {
        byte[] bytes = StreamBytes.raw().part(1, "1.000001", StreamBytes.jpeg(10)).bytes();
        int lastJpegByte = bytes.length - ("\r\n--" + StreamBytes.BOUNDARY + "\r\n").length();
        Recorder r = new Recorder();
        feed(r.parser, Arrays.copyOf(bytes, lastJpegByte));
        assertEquals(1, r.clock, "clock read once, at the last JPEG byte");
        assertTrue(r.parts.isEmpty(), "not reported before the delimiter");
        r.clock = 100;
        feed(r.parser, Arrays.copyOfRange(bytes, lastJpegByte, bytes.length));
        assertEquals(List.of(new Seen(10, 1, 1_000_001L, 1, true)), r.parts);
    }

    @Test
    void lastChunkEndsTheStream() throws ProtocolException {
        Recorder r = parse(threeParts(StreamBytes.chunked()).lastChunk().bytes());
        assertEquals(3, r.parts.size());
        assertEquals(1, r.ends);
    }

    @Test
    void partWithoutContentLengthIsAProtocolError() {
        byte[] bytes = StreamBytes.chunked()
                .part("Content-Type: image/jpeg\r\nX-Timestamp: 1.0\r\n\r\n", StreamBytes.jpeg(10)).bytes();
        assertTrue(failure(bytes).getMessage().contains("part without Content-Length"));
    }

    @Test
    void contentLengthTooShortOrTooLongIsAProtocolErrorAndNeverAFrame() {
        for (int wrong : new int[] {9, 11}) {
            for (StreamBytes s : List.of(StreamBytes.chunked(), StreamBytes.raw())) {
                byte[] bytes = s.part(1, "1.0", StreamBytes.jpeg(10))
                        .part("Content-Type: image/jpeg\r\nContent-Length: " + wrong + "\r\n\r\n", StreamBytes.jpeg(10))
                        .part(3, "1.0", StreamBytes.jpeg(10)).bytes();
                Recorder r = new Recorder();
                ProtocolException e = assertThrows(ProtocolException.class, () -> feed(r.parser, bytes));
                assertTrue(e.getMessage().contains("wrong Content-Length?") || e.getMessage().contains("chunk"),
                        e.getMessage());
                assertEquals(1, r.parts.size(), "only the good first part");
            }
        }
    }

    @Test
    void nonJpegBodyOrTypeIsAnInvalidFrameAndTheStreamGoesOn() throws ProtocolException {
        byte[] notJpeg = "not a jpeg at all".getBytes(US_ASCII);
        byte[] noEnd = StreamBytes.jpeg(10);
        noEnd[9] = 0;
        byte[] bytes = StreamBytes.chunked()
                .part(1, "1.0", notJpeg)
                .part(2, "1.0", noEnd)
                .part(3, "1.0", new byte[] {(byte) 0xFF, (byte) 0xD9})
                .part("Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n", StreamBytes.jpeg(10))
                .part("Content-Length: 0\r\n\r\n", new byte[0])
                .part(6, "1.0", StreamBytes.jpeg(10)).bytes();
        Recorder r = parse(bytes);
        assertEquals(List.of(false, false, false, false, false, true), r.parts.stream().map(Seen::valid).toList());
        assertEquals(List.of(1L, 2L, 3L, -1L, -1L, 6L), r.parts.stream().map(Seen::sequence).toList());
    }

    @Test
    void badChunkSizeIsAProtocolError() {
        for (String size : new String[] {"zz", "", "-1", "123456789", "+5"}) {
            byte[] bytes = StreamBytes.chunked().ascii(size + "\r\n").bytes();
            assertTrue(failure(bytes).getMessage().startsWith("chunk size"), size);
        }
        byte[] noCrlf = StreamBytes.chunked().ascii("3\r\nabcXY").bytes();
        assertTrue(failure(noCrlf).getMessage().contains("CRLF after a chunk"));
    }

    @Test
    void truncatedStreamsAreProtocolErrors() {
        for (StreamBytes s : List.of(StreamBytes.chunked(), StreamBytes.raw())) {
            byte[] whole = threeParts(s).bytes();
            int delimiterLength = ("\r\n--" + StreamBytes.BOUNDARY + "\r\n").length();
            int[] cuts = {10, whole.length - delimiterLength - 3, whole.length - 4};
            for (int cut : cuts) {
                ProtocolException e = failure(Arrays.copyOf(whole, cut));
                assertTrue(e.getMessage().contains("ended"), e.getMessage());
            }
        }
    }

    @Test
    void badHeadsAreProtocolErrors() {
        assertTrue(failure("HTTP/1.1 404 Not Found\r\n\r\n".getBytes(US_ASCII)).getMessage().startsWith("status line"));
        assertTrue(failure("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n".getBytes(US_ASCII))
                .getMessage().startsWith("Content-Type"));
        assertTrue(failure("HTTP/1.1 200 OK\r\n\r\n".getBytes(US_ASCII)).getMessage().startsWith("response without"));
        assertTrue(failure("HTTP/1.1 200 OK\nX: y\n\n".getBytes(US_ASCII)).getMessage().contains("bare LF"));
        assertTrue(failure(("HTTP/1.1 200 OK\r\nX: " + "y".repeat(9000) + "\r\n").getBytes(US_ASCII))
                .getMessage().contains("over 8192 bytes"));
        byte[] badStart = StreamBytes.raw().bytes();
        badStart[badStart.length - 3] = 'X';
        assertTrue(failure(badStart).getMessage().contains("start with --boundary"));
    }

    @Test
    void badPartHeadersAreProtocolErrors() {
        String[] bad = {
            "Content-Length: ten\r\n\r\n",
            "Content-Length: 10\r\nX-Timestamp: yesterday\r\n\r\n",
            "Content-Length: 10\r\nX-Timestamp: 1.1234567\r\n\r\n",
            "Content-Length: 10\r\nX-Frame-Sequence: -4\r\n\r\n",
            "Content-Length: 10\r\nno colon here\r\n\r\n",
            "Content-Length: 999999999999\r\n\r\n",
        };
        for (String headers : bad) {
            assertThrows(ProtocolException.class, () -> parse(StreamBytes.raw().part(headers, StreamBytes.jpeg(10)).bytes()),
                    headers);
        }
    }

    @Test
    void headerNamesAnyCaseShortTimestampsQuotedBoundary() throws ProtocolException {
        String head = "HTTP/1.0 200 OK\r\ncontent-type: Multipart/X-Mixed-Replace; boundary=\"abc\"\r\n\r\n";
        byte[] body = StreamBytes.jpeg(6);
        String part = "--abc\r\nCONTENT-TYPE: Image/JPEG\r\ncontent-length:  6 \r\nx-timestamp: 12.5\r\nX-FRAME-SEQUENCE:3\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((head + part).getBytes(US_ASCII));
        out.writeBytes(body);
        out.writeBytes("\r\n--abc--".getBytes(US_ASCII));
        Recorder r = parse(out.toByteArray());
        assertEquals(List.of(new Seen(6, 3, 12_500_000L, 1, true)), r.parts);
        assertEquals(1, r.ends, "the close delimiter ends the stream");
    }

    @Test
    void failedParserIgnoresFurtherInput() throws ProtocolException {
        Recorder r = new Recorder();
        assertThrows(ProtocolException.class, () -> feed(r.parser, "HTTP/1.1 500 Oops\r\n".getBytes(US_ASCII)));
        feed(r.parser, threeParts(StreamBytes.chunked()).bytes());
        r.parser.endOfInput();
        assertTrue(r.parts.isEmpty());
    }
}
