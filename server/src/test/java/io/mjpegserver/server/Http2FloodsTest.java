package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.ServerFixture;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The known HTTP/2 floods, each from a raw socket speaking HTTP/2 with prior knowledge: each ends with the
 * server's GOAWAY (or a reset of the one stream, for headers too large) after a bounded number of frames, and the
 * server goes on serving. Rapid reset (CVE-2023-44487), CONTINUATION without END_HEADERS (CVE-2024-27316), empty
 * DATA frames and oversized header lists are cut by the codec's own limits; SETTINGS and PING floods from a client
 * that reads every ack by the connection guard.
 */
class Http2FloodsTest {

    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 1;
    private static final int END_HEADERS = 4;
    private static final int PROTOCOL_ERROR = 1;
    private static final int ENHANCE_YOUR_CALM = 0xb;

    private static ServerFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerFixture.testPattern(160, 120, 10);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void rapidResetIsCut() throws Exception {
        try (Flood flood = new Flood()) {
            int streams = 1_000;
            for (int i = 0; i < streams; i++) {
                int id = 1 + 2 * i;
                flood.frame(HEADERS, END_STREAM | END_HEADERS, id, request("/healthz"));
                flood.frame(RST_STREAM, 0, id, new byte[] {0, 0, 0, 8});
            }
            assertEquals(ENHANCE_YOUR_CALM, flood.goAway(), "GOAWAY's error code");
        }
        assertServes();
    }

    @Test
    void continuationWithoutEndHeadersIsCut() throws Exception {
        try (Flood flood = new Flood()) {
            flood.frame(HEADERS, END_STREAM, 1, request("/healthz"));
            // A header (literal, new name) whose value never ends, in small CONTINUATION frames.
            byte[] piece = new byte[16];
            java.util.Arrays.fill(piece, (byte) 'a');
            for (int i = 0; i < 10_000 && !flood.closed(); i++) {
                flood.frame(CONTINUATION, 0, 1, piece);
            }
            int code = flood.goAway();
            assertTrue(code == ENHANCE_YOUR_CALM || code == PROTOCOL_ERROR, "GOAWAY's error code: " + code);
        }
        assertServes();
    }

    @Test
    void emptyDataFramesAreCut() throws Exception {
        try (Flood flood = new Flood()) {
            // A request whose body never comes: empty DATA frames forever.
            flood.frame(HEADERS, END_HEADERS, 1, request("/healthz"));
            for (int i = 0; i < 10_000 && !flood.closed(); i++) {
                flood.frame(DATA, 0, 1, new byte[0]);
            }
            assertTrue(flood.goAway() >= 0, "no GOAWAY");
        }
        assertServes();
    }

    @Test
    void settingsFloodIsCut() throws Exception {
        assertFloodIsCut(SETTINGS, 0);
    }

    @Test
    void pingFloodIsCut() throws Exception {
        assertFloodIsCut(PING, 8);
    }

    /** Frames of {@code type} with a {@code payload}-byte body, sent until the server closes: it says GOAWAY. */
    private static void assertFloodIsCut(int type, int payload) throws Exception {
        try (Flood flood = new Flood()) {
            for (int i = 0; i < 10_000 && !flood.closed(); i++) {
                flood.frame(type, 0, 0, new byte[payload]);
            }
            assertEquals(ENHANCE_YOUR_CALM, flood.goAway(), "GOAWAY's error code");
        }
        assertServes();
    }

    @Test
    void anOversizedHeaderListIsRefused() throws Exception {
        try (Flood flood = new Flood()) {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            block.write(request("/healthz"));
            // x-big: 64 KiB, literal without indexing, new name (lengths in HPACK's 7-bit prefix integers).
            block.write(0x00);
            block.write(5);
            block.write("x-big".getBytes(US_ASCII));
            int length = 64 * 1024;
            block.write(0x7f);
            int rest = length - 127;
            while (rest >= 128) {
                block.write(rest % 128 + 128);
                rest /= 128;
            }
            block.write(rest);
            block.write(new byte[length]);
            byte[] bytes = block.toByteArray();
            // Split to the peer's default frame size.
            int at = 0;
            while (at < bytes.length && !flood.closed()) {
                int n = Math.min(16_384, bytes.length - at);
                boolean last = at + n == bytes.length;
                flood.frame(at == 0 ? HEADERS : CONTINUATION, (at == 0 ? END_STREAM : 0) | (last ? END_HEADERS : 0), 1,
                        java.util.Arrays.copyOfRange(bytes, at, at + n));
                at += n;
            }
            assertTrue(flood.goAway() >= 0, "no GOAWAY");
        }
        assertServes();
    }

    private static void assertServes() throws Exception {
        assertEquals(200, Http.get(server.url("/healthz")).statusCode(), "the server after the flood");
    }

    /** A GET's header block: :method GET, :scheme http (static table), :path and :authority as literals. */
    private static byte[] request(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x82);
        out.write(0x86);
        literal(out, 0x04, path);
        literal(out, 0x01, "127.0.0.1");
        return out.toByteArray();
    }

    private static void literal(ByteArrayOutputStream out, int nameIndex, String value) {
        out.write(nameIndex);
        out.write(value.length());
        out.writeBytes(value.getBytes(US_ASCII));
    }

    /** A raw HTTP/2 connection: the preface, then frames; a thread-free reader looks for the GOAWAY at the end. */
    private static final class Flood implements AutoCloseable {

        private final Socket socket = new Socket();
        private final OutputStream out;
        private boolean closed;

        Flood() throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII));
            frame(SETTINGS, 0, 0, new byte[0]);
            drainWhileWriting();
        }

        void frame(int type, int flags, int stream, byte[] payload) throws IOException {
            if (closed) {
                return;
            }
            byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                    (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                    (byte) stream};
            try {
                out.write(header);
                out.write(payload);
            } catch (SocketException e) {
                // The server closed the connection: the flood is over.
                closed = true;
            }
            drainWhileWriting();
        }

        boolean closed() {
            return closed;
        }

        /** Reads what the server sent so far (acks, answers), so it never waits on us; notes a GOAWAY. */
        private void drainWhileWriting() throws IOException {
            while (!closed && socket.getInputStream().available() >= 9) {
                if (readFrame() == GOAWAY) {
                    goAwayCode = lastGoAway;
                }
            }
        }

        private int goAwayCode = -1;
        private int lastGoAway = -1;

        private int readFrame() throws IOException {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] header = new byte[9];
            in.readFully(header);
            int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (header[3] == GOAWAY) {
                lastGoAway = (payload[4] & 0xff) << 24 | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8
                        | payload[7] & 0xff;
            }
            return header[3];
        }

        /** Reads until the server's GOAWAY (its error code) or its close (-1), 10 s at most per read. */
        int goAway() throws IOException {
            if (goAwayCode >= 0) {
                return goAwayCode;
            }
            try {
                for (int frames = 0; frames < 100_000; frames++) {
                    if (readFrame() == GOAWAY) {
                        return lastGoAway;
                    }
                }
            } catch (EOFException | SocketException | SocketTimeoutException e) {
                return -1;
            }
            return -1;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
