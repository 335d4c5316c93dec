package io.mjpegserver.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Http2FrameClient;
import io.mjpegserver.server.testing.ServerFixture;
import io.mjpegserver.server.testing.TestPatternServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2FrameStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Over HTTP/2, WebKit that is not Chromium (libsoup under WebKitGTK reads a part's fields with blocking reads on a
 * worker thread the moment the part before ends) gets each part's fields right after the delimiter that ends the
 * part before, in the same write: {@code --B CRLF Content-Type: image/jpeg CRLF CRLF} then, per frame, the JPEG and
 * {@code CRLF --B CRLF Content-Type: image/jpeg CRLF CRLF}. Every other client keeps the parts as HTTP/1 has them.
 */
class Http2WebKitPartsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WEBKIT_GTK = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            + " Version/60.5 Safari/605.1.15";
    private static final String SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"
            + " (KHTML, like Gecko) Version/18.1 Safari/605.1.15";
    private static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36";
    private static final String DELIMITER = "--" + ServerFixture.BOUNDARY + "\r\n";
    private static final String AHEAD = "Content-Type: image/jpeg\r\n\r\n";
    private static final int FRAMES = 5;

    @RegisterExtension
    static final TestPatternServer server = new TestPatternServer(320, 240, 30);

    private static byte[] stream(String userAgent) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Http2FrameClient client = Http2FrameClient.connect(group, server.port(), 1 << 24);
            Http2FrameStream stream = client.open("/stream", false,
                    userAgent.isEmpty() ? Map.of() : Map.of("user-agent", userAgent));
            // Enough for FRAMES whole parts of 320x240 (each well under 64 KiB).
            assertTrue(Http.eventually(WAIT, () -> client.received(stream) > (FRAMES + 1) * 64 * 1024),
                    "the stream sent too little");
            assertEquals("200", client.status.get(stream.id()));
            byte[] body = client.body(stream);
            client.channel().close().sync();
            return body;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {WEBKIT_GTK, SAFARI})
    void webKitGetsEachPartsFieldsWithTheDelimiterBeforeIt(String userAgent) throws Exception {
        String body = new String(stream(userAgent), ISO_8859_1);
        assertTrue(body.startsWith(DELIMITER + AHEAD + "\u00FF\u00D8"),
                () -> "the body starts with " + body.substring(0, 120));
        String separator = "\r\n" + DELIMITER + AHEAD;
        String[] jpegs = body.substring((DELIMITER + AHEAD).length()).split(separator, -1);
        assertTrue(jpegs.length > FRAMES, "parts: " + jpegs.length);
        for (int i = 0; i < FRAMES; i++) {
            byte[] jpeg = jpegs[i].getBytes(ISO_8859_1);
            assertTrue(jpeg[jpeg.length - 2] == (byte) 0xFF && jpeg[jpeg.length - 1] == (byte) 0xD9,
                    "part " + i + " is not a whole JPEG ending in FF D9");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertNotNull(image, "part " + i + " does not decode");
            assertEquals(320, image.getWidth());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CHROME, "curl/7.88.1", ""})
    void everyOtherClientGetsPartsWithTheirLength(String userAgent) throws Exception {
        String body = new String(stream(userAgent), ISO_8859_1);
        assertTrue(body.startsWith(DELIMITER + "Content-Type: image/jpeg\r\nContent-Length: "),
                () -> "the body starts with " + body.substring(0, 120));
        assertTrue(!body.contains(AHEAD + "\u00FF\u00D8"), "a part without its Content-Length");
    }
}
