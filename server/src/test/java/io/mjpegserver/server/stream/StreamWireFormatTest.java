package io.mjpegserver.server.stream;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.frame.Frame;
import io.mjpegserver.server.testing.EmbeddedServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact bytes of the stream, pinned on the real pipeline. */
class StreamWireFormatTest {

    private static final String HEAD_11 = "HTTP/1.1 200 OK\r\n"
            + "Content-Type: multipart/x-mixed-replace;boundary=boundarydonotcross\r\n"
            + "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"
            + "Pragma: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "\r\n";
    private static final String HEAD_10 = "HTTP/1.0 200 OK\r\n"
            + "Content-Type: multipart/x-mixed-replace;boundary=boundarydonotcross\r\n"
            + "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"
            + "Pragma: no-cache\r\n"
            + "Connection: close\r\n"
            + "\r\n";
    /** Frame 7's part: headers, the 7-byte JPEG FF D8 01 02 03 FF D9, CRLF, the next delimiter. */
    private static final String PART_7 = "Content-Type: image/jpeg\r\n"
            + "Content-Length: 7\r\n"
            + "X-Timestamp: 1700000000.012345\r\n"
            + "X-Frame-Sequence: 7\r\n"
            + "X-Source-Online: true\r\n"
            + "\r\n"
            + "\u00FF\u00D8\u0001\u0002\u0003\u00FF\u00D9"
            + "\r\n--boundarydonotcross\r\n";

    private static Frame frame7() {
        return EmbeddedServer.frame(7, 1_700_000_000_012_345L, (byte) 1, (byte) 2, (byte) 3);
    }

    @Test
    void http11StreamIsChunkedWithOnePartPerChunk() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            String head = server.answer("GET /stream HTTP/1.1\r\nHost: cam\r\n\r\n");
            assertTrue(head.startsWith(HEAD_11), head);
            assertOneChunk(head.substring(HEAD_11.length()));
            assertEquals(HEAD_11 + "16\r\n--boundarydonotcross\r\n\r\n", head);
            server.publish(frame7());
            // The framing as HTTP/1.1 defines it, counted on what was written; then the exact bytes.
            String part = server.outboundText();
            assertOneChunk(part);
            assertEquals("9a\r\n" + PART_7 + "\r\n", part);
            assertTrue(server.channel.isOpen());
        }
    }

    /** The chunk's size line counts exactly the bytes between it and the chunk's closing CRLF. */
    private static void assertOneChunk(String chunk) {
        int sizeEnd = chunk.indexOf("\r\n");
        int size = Integer.parseInt(chunk.substring(0, sizeEnd), 16);
        assertEquals(chunk.length() - sizeEnd - 2 - 2, size, () -> "chunk size line of " + chunk);
        assertTrue(chunk.endsWith("\r\n"), chunk);
    }

    @Test
    void http10StreamIsRawAndCloseDelimited() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.request("GET /?action=stream HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
            assertEquals(HEAD_10 + "--boundarydonotcross\r\n", server.outboundText());
            server.publish(frame7());
            assertEquals(PART_7, server.outboundText());
        }
    }

    @Test
    void aNewClientGetsTheNewestFrameAtOnce() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.publish(EmbeddedServer.frame(6, 1_700_000_000_000_000L, (byte) 9));
            server.publish(frame7());
            server.request("GET /stream.mjpg HTTP/1.0\r\n\r\n");
            assertEquals(HEAD_10 + "--boundarydonotcross\r\n" + PART_7, server.outboundText());
        }
    }

    @Test
    void theJpegBytesWrittenAreTheRingsOwnNotACopy() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.answer("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
            Frame frame = frame7();
            long address = frame.content().memoryAddress();
            server.publish(frame);
            List<ByteBuf> written = server.outbound();
            try {
                assertEquals(3, written.size(), "header, JPEG and delimiter: one gathering write");
                ByteBuf jpeg = written.get(1);
                assertEquals(7, jpeg.readableBytes());
                assertEquals(address, jpeg.memoryAddress(), "the client's JPEG is the ring's memory");
            } finally {
                written.forEach(ByteBuf::release);
            }
        }
    }

    @Test
    void headGetsTheStreamHeadersAndNoBody() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.publish(frame7());
            String response = server.answer("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertTrue(response.contains("Content-Type: multipart/x-mixed-replace;boundary=boundarydonotcross\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\n"), "headers only: " + response);
            assertFalse(response.contains("--boundarydonotcross"), response);
            assertTrue(server.channel.isOpen(), "HTTP/1.1 HEAD keeps the connection");
        }
    }

    @Test
    void whatAStreamingClientSendsIsIgnored() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            server.answer("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("", server.answer("GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\ngarbage"));
            server.publish(frame7());
            assertTrue(server.outboundText().contains(PART_7));
            assertNull(server.channel.pipeline().get("http-codec"), "the codec is gone");
        }
    }

    /** Frame 7 as the sources that copy each JPEG make it: in a buffer with room around the JPEG. */
    private static Frame frame7WithRoom() {
        ByteBuf jpeg = Frame.allocate(UnpooledByteBufAllocator.DEFAULT, 7);
        // Whatever the room held before (past the claim allocate cleared): the framing must overwrite it exactly,
        // touching no JPEG byte.
        for (int i = Frame.CLAIM_BYTES; i < jpeg.capacity(); i++) {
            jpeg.setByte(i, 'x');
        }
        jpeg.writeShort(0xFFD8).writeBytes(new byte[] {1, 2, 3}).writeShort(0xFFD9);
        return new Frame(7, System.nanoTime(), 1_700_000_000_012_345L, 16, 16, jpeg);
    }

    @Test
    void aPartFramedInItsJpegsRoomIsOneBufferOfTheRingsMemoryWithTheSameBytes() {
        for (boolean chunked : new boolean[] {true, false}) {
            try (EmbeddedServer server = new EmbeddedServer()) {
                server.answer(chunked ? "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /stream HTTP/1.0\r\n\r\n");
                Frame frame = frame7WithRoom();
                long address = frame.content().memoryAddress() + frame.content().readerIndex();
                server.publish(frame);
                List<ByteBuf> written = server.outbound();
                try {
                    assertEquals(1, written.size(), "the whole part in one buffer");
                    ByteBuf part = written.get(0);
                    String text = part.toString(ISO_8859_1);
                    if (chunked) {
                        assertEquals(Integer.toHexString(PART_7.length()) + "\r\n" + PART_7 + "\r\n", text);
                    } else {
                        assertEquals(PART_7, text);
                    }
                    int jpegAt = text.indexOf("\u00FF\u00D8");
                    assertEquals(address, part.memoryAddress() + jpegAt, "the client's JPEG is the ring's memory");
                } finally {
                    written.forEach(ByteBuf::release);
                }
                // The frame's own bytes are still the JPEG alone, for snapshots and every other reader.
                Frame newest = server.ring.latest();
                try {
                    assertEquals(7, newest.size());
                    assertEquals(0xFFD8, newest.content().getUnsignedShort(newest.content().readerIndex()));
                } finally {
                    newest.release();
                }
            }
        }
    }

    @Test
    void theSameJpegPublishedAgainAsAnotherFrameIsNotReframedUnderTheFirst() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            // A paused client: frame 7's part, framed in the room, stays on its way while frame 8 comes.
            HeldSocket socket = HeldSocket.streamTo(server);
            Frame seven = frame7WithRoom();
            // Frame 8 is the same JPEG again (a still image, a repeated video frame): the same memory.
            Frame eight = new Frame(8, System.nanoTime(), 1_700_000_000_099_999L, 16, 16,
                    seven.content().retainedDuplicate());
            server.publish(seven);
            server.publish(eight);
            String out = socket.takeAll();
            assertTrue(out.startsWith(PART_7), "frame 7's part intact: " + out);
            assertTrue(out.endsWith("X-Timestamp: 1700000000.099999\r\nX-Frame-Sequence: 8\r\nX-Source-Online: true\r\n\r\n"
                    + "\u00FF\u00D8\u0001\u0002\u0003\u00FF\u00D9\r\n--boundarydonotcross\r\n"), out);
        }
    }

    @Test
    void onlyABufferWithRoomIsFramedInPlace() {
        Frame roomy = frame7WithRoom();
        Frame plain = frame7();
        ByteBuf slice = roomy.content().retainedSlice(roomy.content().readerIndex(), 7);
        try {
            assertFalse(Frame.claimRoom(plain.content(), 7), "no room");
            assertFalse(Frame.claimRoom(slice, 7), "the bytes around a slice may be another frame's");
            assertTrue(Frame.claimRoom(roomy.content(), 7));
            assertTrue(Frame.claimRoom(roomy.content(), 7), "the same frame again: the same bytes");
            assertFalse(Frame.claimRoom(roomy.content().duplicate(), 8), "claimed by frame 7");
        } finally {
            slice.release();
            plain.release();
            roomy.release();
        }
    }

    @Test
    void aBusyClientSkipsFramesAndThenGetsTheNewestNotABacklog() {
        try (EmbeddedServer server = new EmbeddedServer()) {
            // A socket that takes nothing: what the session writes stays pending, counted as the channel's.
            HeldSocket socket = HeldSocket.streamTo(server);
            server.publish(EmbeddedServer.frame(5, 1_700_000_000_000_000L, (byte) 5));
            server.publish(EmbeddedServer.frame(6, 1_700_000_000_000_000L, (byte) 6));
            server.publish(frame7());
            assertEquals("", server.outboundText(), "all held");
            SessionStats held = server.broadcaster.sessions().get(0);
            assertEquals(1, held.framesSent(), "frame 5 went; 6 and 7 came while it was pending");
            assertEquals(2, held.framesSkipped());
            assertTrue(held.pendingBytes() > 0, "frame 5 pending: " + held.pendingBytes());

            String out = socket.takeAll();
            assertTrue(out.startsWith("Content-Type: image/jpeg\r\nContent-Length: 5\r\n"), out);
            assertTrue(out.contains("X-Frame-Sequence: 5\r\n"), out);
            assertFalse(out.contains("X-Frame-Sequence: 6\r\n"), "no backlog: " + out);
            assertTrue(out.endsWith(PART_7), "the newest frame as soon as frame 5 was taken: " + out);
            SessionStats stats = server.broadcaster.sessions().get(0);
            assertEquals(2, stats.framesSkipped(), "a frame is counted as skipped once");
            assertEquals(2, stats.framesSent());
            assertEquals(7, stats.lastSequence());
            assertEquals(0, stats.pendingBytes());
        }
    }

    /**
     * Stands for a socket whose buffer is full: holds every write, counted as the channel's pending bytes as a
     * real socket's would be, until {@link #takeAll}; from then on it takes everything.
     */
    private static final class HeldSocket extends ChannelOutboundHandlerAdapter {

        private final EmbeddedServer server;
        private PendingWriteQueue held;
        private ChannelHandlerContext ctx;
        private boolean taking;

        private HeldSocket(EmbeddedServer server) {
            this.server = server;
        }

        /** An HTTP/1.0 stream client of {@code server}, its head read, on a socket held from then on. */
        static HeldSocket streamTo(EmbeddedServer server) {
            server.answer("GET /stream HTTP/1.0\r\n\r\n");
            HeldSocket socket = new HeldSocket(server);
            server.channel.pipeline().addFirst(socket);
            return socket;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            held = new PendingWriteQueue(ctx);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (taking) {
                ctx.write(msg, promise);
            } else {
                held.add(msg, promise);
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (taking) {
                ctx.flush();
            }
        }

        /** Takes what is held and all that follows; returns what the server has written since it last read, as text. */
        String takeAll() {
            taking = true;
            held.removeAndWriteAll();
            ctx.flush();
            server.channel.runPendingTasks();
            return server.outboundText();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            held.removeAndFailAll(new java.nio.channels.ClosedChannelException());
        }
    }

    @Test
    void partHeaderIsBuiltOnceAndSharedByBothFramings() {
        MultipartFormat format = new MultipartFormat(MultipartFormat.DEFAULT_BOUNDARY);
        Frame frame = frame7();
        try {
            MultipartFormat.PartHeader header = format.header(frame, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
            try {
                String text = header.buf().toString(ISO_8859_1);
                assertEquals("9a\r\n" + PART_7.substring(0, PART_7.indexOf("\r\n\r\n") + 4), text);
                assertEquals(4, header.chunkPrefix());
            } finally {
                header.buf().release();
            }
        } finally {
            frame.release();
        }
    }
}
