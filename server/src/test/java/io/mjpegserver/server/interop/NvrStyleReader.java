package io.mjpegserver.server.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a camera URL the way NVR software does, without any HTTP library's forgiveness:
 * <ul>
 * <li>ZoneMinder's HTTP remote monitor ({@code src/zm_remote_camera_http.cpp}, "regexp" method): an HTTP/1.0
 * request with {@code Connection: Keep-Alive}, the response head and the multipart boundary taken apart with
 * ZoneMinder's own regular expressions, each part's subheader matched right where the last image ended, the
 * image taken by its Content-length (or, lacking one, up to the next boundary);</li>
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
    private final InputStream in;
    private final Head head;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private Pattern subheader;
    private Pattern content;

    private NvrStyleReader(Socket socket, Duration headWithin) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
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
        while (!header.reset(text()).find()) {
            try {
                fill();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no complete response head within " + within.toMillis() + " ms; got: "
                        + text(), e);
            }
        }
        String text = header.group(1);
        start += text.length();
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
        while ((eoi = indexOf(0xFF, 0xD9)) < 0) {
            fill();
        }
        int soi = indexOf(0xFF, 0xD8);
        if (soi < 0 || soi > eoi) {
            throw new AssertionError("no FF D8 before the first FF D9 of the body");
        }
        return Arrays.copyOfRange(buffer, soi, eoi + 2);
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
        while (!sub.reset(text()).find()) {
            // Anchored at the start: once a subheader's worth of bytes is there without a match, none will come.
            failIfMore(64 * 1024, "a subheader");
            fill();
        }
        String subtext = sub.group(1);
        start += subtext.length();
        Matcher type = SUBCONTENT_TYPE.matcher(subtext);
        String partType = type.find() ? type.group(1).split(";")[0] : "";
        if (!partType.equalsIgnoreCase("image/jpeg") && !partType.equalsIgnoreCase("image/jpg")) {
            throw new AssertionError("ZoneMinder: Found unsupported content type '" + partType + "' in: " + subtext);
        }
        Matcher length = CONTENT_LENGTH.matcher(subtext);
        int n;
        if (length.find()) {
            n = Integer.parseInt(length.group(1));
            while (end - start < n) {
                fill();
            }
        } else {
            Matcher image = content.matcher("");
            while (!image.reset(text()).find()) {
                failIfMore(4 * 1024 * 1024, "the end of an image");
                fill();
            }
            n = image.group(1).length();
        }
        byte[] image = Arrays.copyOfRange(buffer, start, start + n);
        start += n;
        return image;
    }

    /** A single image (a snapshot URL): Content-length bytes, or everything up to the end of the connection. */
    byte[] singleImage() throws IOException {
        if (head.contentLength() > 0) {
            while (end - start < head.contentLength()) {
                fill();
            }
            return Arrays.copyOfRange(buffer, start, start + head.contentLength());
        }
        try {
            for (;;) {
                fill();
            }
        } catch (EOFException e) {
            return Arrays.copyOfRange(buffer, start, end);
        }
    }

    /** Fails once more than {@code limit} bytes wait without a match: the stream is not what ZoneMinder expects. */
    private void failIfMore(int limit, String what) {
        if (end - start > limit) {
            throw new AssertionError("ZoneMinder finds no " + what + " in " + (end - start) + " bytes, which start: "
                    + new String(buffer, start, Math.min(200, end - start), ISO_8859_1));
        }
    }

    private String text() {
        return new String(buffer, start, end - start, ISO_8859_1);
    }

    private int indexOf(int first, int second) {
        for (int i = start; i + 1 < end; i++) {
            if ((buffer[i] & 0xFF) == first && (buffer[i + 1] & 0xFF) == second) {
                return i;
            }
        }
        return -1;
    }

    private void fill() throws IOException {
        if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            throw new EOFException("the server closed the connection; unread: " + (end - start) + " bytes");
        }
        end += n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
