package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a camera URL the way NVR software does, without any HTTP library's forgiveness:
 * <ul>
 * <li>ZoneMinder's HTTP remote monitor ({@code src/zm_remote_camera_http.cpp}): an HTTP/1.0 request with
 * {@code Connection: Keep-Alive}; by the "regexp" method, the response head and the multipart boundary taken
 * apart with ZoneMinder's own regular expressions, each part's subheader matched right where the last image
 * ended, the image taken by its Content-length (or, lacking one, up to the next boundary); by the "simple"
 * method (ZoneMinder's default), the boundary line compared with what follows {@code boundary=}, verbatim;</li>
 * <li>Home Assistant's MJPEG camera ({@code extract_image_from_mjpeg}): a still cut out of the start of the
 * body, from the first {@code FF D8} to the first {@code FF D9}.</li>
 * </ul>
 * The response head must arrive within the given time (NVRs give up on a silent camera); every later read
 * waits at most 10 s, Home Assistant's timeout.
 */
final class NvrStyleReader implements AutoCloseable {

    // ZoneMinder's expressions, verbatim but for Java's string escapes.
    private static final Pattern HEADER = Pattern.compile("^(.+?\r?\n\r?\n)", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("^HTTP/(1\\.[01]) +([0-9]+) +(.+?)\r?\n",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CONNECTION = Pattern.compile("Connection: ?(.+?)\r?\n", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONTENT_LENGTH = Pattern.compile("Content-length: ?([0-9]+)\r?\n",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CONTENT_TYPE = Pattern.compile(
            "Content-type: ?(.+?)(?:; ?boundary=\\x22?(.+?)\\x22?)?\r?\n", Pattern.CASE_INSENSITIVE);
    private static final Pattern SUBCONTENT_TYPE = Pattern.compile("Content-type: ?(.+?)\r?\n",
            Pattern.CASE_INSENSITIVE);
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    /**
     * The response head as ZoneMinder sees it.
     *
     * @param boundary {@code null} when the Content-Type has none
     * @param contentLength 0 when there is none
     */
    record Head(String httpVersion, int status, String connection, String contentType, String boundary,
            int contentLength, String text) {
    }

    private final Socket socket;
    private final ResponseBytes bytes;
    private final Head head;
    private Pattern subheader;
    private Pattern content;

    private NvrStyleReader(Socket socket, Duration headWithin) throws IOException {
        this.socket = socket;
        this.bytes = new ResponseBytes(socket.getInputStream());
        socket.setSoTimeout((int) headWithin.toMillis());
        this.head = readHead(headWithin);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    }

    /** Connects to 127.0.0.1:{@code port}, sends ZoneMinder's HTTP/1.0 request for {@code path}, reads the head. */
    static NvrStyleReader open(int port, String path, Duration headWithin) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            String request = "GET " + path + " HTTP/1.0\r\n"
                    + "User-Agent: ZoneMinder/1.36.33\r\n"
                    + "Host: 127.0.0.1\r\n"
                    + "Connection: Keep-Alive\r\n"
                    + "\r\n";
            socket.getOutputStream().write(request.getBytes(ISO_8859_1));
            return new NvrStyleReader(socket, headWithin);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    Head head() {
        return head;
    }

    private Head readHead(Duration within) throws IOException {
        Matcher header = HEADER.matcher("");
        while (!header.reset(bytes.text()).find()) {
            try {
                bytes.fill();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no complete response head within " + within.toMillis() + " ms; got: "
                        + bytes.text(), e);
            }
        }
        String text = header.group(1);
        bytes.skip(text.length());
        Matcher status = STATUS.matcher(text);
        if (!status.find()) {
            throw new AssertionError("ZoneMinder: Unable to extract HTTP status from header: " + text);
        }
        Matcher connection = CONNECTION.matcher(text);
        Matcher length = CONTENT_LENGTH.matcher(text);
        Matcher type = CONTENT_TYPE.matcher(text);
        boolean typed = type.find();
        return new Head(status.group(1), Integer.parseInt(status.group(2)),
                connection.find() ? connection.group(1) : null,
                typed ? type.group(1) : "", typed ? type.group(2) : null,
                length.find() ? Integer.parseInt(length.group(1)) : 0, text);
    }

    /**
     * Home Assistant's still from a stream: reads until the body so far holds an {@code FF D9}, and returns the
     * bytes from its first {@code FF D8} through that first {@code FF D9}. Call it before {@link #nextImage()}: it
     * reads ahead without consuming, so the parts are still there for ZoneMinder's parse.
     */
    byte[] stillCutAtFirstEoi() throws IOException {
        int eoi;
        while ((eoi = bytes.indexOf(0xFF, 0xD9)) < 0) {
            bytes.failIfMore(4 * 1024 * 1024, "Home Assistant", "FF D9");
            bytes.fill();
        }
        int soi = bytes.indexOf(0xFF, 0xD8);
        if (soi < 0 || soi > eoi) {
            throw new AssertionError("Home Assistant: no FF D8 before the first FF D9 of the body");
        }
        return bytes.copy(soi, eoi + 2);
    }

    /** ZoneMinder's next image of a multipart stream: subheader, then Content-length bytes (or up to the boundary). */
    byte[] nextImage() throws IOException {
        if (head.boundary() == null) {
            throw new AssertionError("ZoneMinder: No content boundary found in header '" + head.text() + "'");
        }
        if (subheader == null) {
            subheader = Pattern.compile("^((?:\r?\n){0,2}?(?:--)?" + head.boundary() + "\r?\n.+?\r?\n\r?\n)",
                    Pattern.DOTALL);
            content = Pattern.compile("^(.+?)(?:\r?\n)*(?:--)?" + head.boundary() + "\r?\n", Pattern.DOTALL);
        }
        Matcher sub = subheader.matcher("");
        while (!sub.reset(bytes.text()).find()) {
            // Anchored at the start: once a subheader's worth of bytes is there without a match, none will come.
            bytes.failIfMore(64 * 1024, "ZoneMinder", "a subheader");
            bytes.fill();
        }
        String subtext = sub.group(1);
        bytes.skip(subtext.length());
        Matcher type = SUBCONTENT_TYPE.matcher(subtext);
        String partType = type.find() ? type.group(1).split(";")[0] : "";
        if (!partType.equalsIgnoreCase("image/jpeg") && !partType.equalsIgnoreCase("image/jpg")) {
            throw new AssertionError("ZoneMinder: Found unsupported content type '" + partType + "' in: " + subtext);
        }
        Matcher length = CONTENT_LENGTH.matcher(subtext);
        if (length.find()) {
            return bytes.take(Integer.parseInt(length.group(1)));
        }
        Matcher image = content.matcher("");
        while (!image.reset(bytes.text()).find()) {
            bytes.failIfMore(4 * 1024 * 1024, "ZoneMinder", "the end of an image");
            bytes.fill();
        }
        return bytes.take(image.group(1).length());
    }

    /** ZoneMinder's next image by its default "simple" method; see {@link ZoneMinderSimpleMethod}. */
    byte[] nextImageSimple() throws IOException {
        String boundary = ZoneMinderSimpleMethod.boundary(head.text());
        if (boundary == null) {
            throw new AssertionError("ZoneMinder (simple): No content boundary found in header '" + head.text()
                    + "'");
        }
        return ZoneMinderSimpleMethod.nextImage(bytes, boundary);
    }

    /** A single image (a snapshot URL): Content-length bytes, or everything up to the end of the connection. */
    byte[] singleImage() throws IOException {
        if (head.contentLength() > 0) {
            return bytes.take(head.contentLength());
        }
        try {
            for (;;) {
                bytes.fill();
            }
        } catch (EOFException e) {
            return bytes.take(bytes.available());
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
