package io.mjpegserver.server.deploy;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many MJPEG stream clients on one thread and one selector: light enough for hundreds of viewers at 30 fps on a
 * small machine. Each viewer parses its stream strictly (status 200, chunked or not, each part's boundary, its
 * {@code Content-Length} bytes starting {@code FF D8} and ending {@code FF D9}, its {@code X-Frame-Sequence} and
 * {@code X-Timestamp}), counts the new frames it gets and the longest time between two, notes which edge served it
 * ({@code X-Served-By}), and samples one frame in ten for the latency from the origin's capture
 * ({@link OriginFrameTimes}). A viewer whose connection ends, or whose stream breaks, connects again after
 * {@link #RECONNECT_DELAY_MILLIS}, as a player does.
 */
final class StreamCrowd implements AutoCloseable {

    static final long RECONNECT_DELAY_MILLIS = 200;
    private static final int CONNECTS_PER_TICK = 40;

    private final InetSocketAddress target;
    private final byte[] request;
    private final String boundaryLine;
    private final List<Viewer> viewers = new ArrayList<>();
    private final Selector selector;
    private final Thread thread;
    private final ArrayDeque<Viewer> toConnect = new ArrayDeque<>();
    private final OriginFrameTimes originTimes;
    private final boolean origin;
    /** Samples of frames received: their key, and when they arrived (Unix microseconds). */
    private final long[] sampleKeys = new long[1 << 18];
    private final long[] sampleArrivals = new long[1 << 18];
    private int sampleCount; // guarded by this
    private volatile boolean closed;
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowTo = Long.MIN_VALUE;
    private volatile String failure;

    /**
     * {@code count} viewers of {@code path} on 127.0.0.1:{@code port}; {@link #start()} connects them. A crowd of the
     * {@code origin} itself writes each frame's capture time into {@code originTimes}; the others read it.
     */
    StreamCrowd(String name, int port, String path, int count, String boundary, OriginFrameTimes originTimes,
            boolean origin) throws IOException {
        this.originTimes = originTimes;
        this.origin = origin;
        this.target = new InetSocketAddress("127.0.0.1", port);
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: crowd\r\n\r\n").getBytes(US_ASCII);
        this.boundaryLine = "--" + boundary;
        for (int i = 0; i < count; i++) {
            viewers.add(new Viewer(i));
        }
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "crowd-" + name);
        thread.setDaemon(true);
    }

    StreamCrowd start() {
        toConnect.addAll(viewers);
        thread.start();
        return this;
    }

    List<Viewer> viewers() {
        return viewers;
    }

    /** A protocol error any viewer met, or null: a stream that is not what the wire format promises. */
    String failure() {
        return failure;
    }

    /**
     * From now on, each viewer counts the frames it gets that were captured from {@code fromMicros} to
     * {@code toMicros} (Unix time): how many of the source's frames of that span reached it, however late.
     */
    void countCapturedBetween(long fromMicros, long toMicros) {
        for (Viewer viewer : viewers) {
            viewer.inWindow = 0;
        }
        windowFrom = fromMicros;
        windowTo = toMicros;
    }

    /** Forgets the viewers' longest gaps and disconnections so far: what follows is measured afresh. */
    void resetDisturbances() {
        for (Viewer viewer : viewers) {
            viewer.maxGapNanos = 0;
            viewer.disconnects = 0;
            viewer.refusals = 0;
        }
    }

    /**
     * Latencies from the origin's capture of a frame to its arrival here, in microseconds, sorted; about one frame in
     * ten, those the origin's own viewers saw too.
     */
    synchronized long[] latencies() {
        long[] found = new long[sampleCount];
        int n = 0;
        for (int i = 0; i < sampleCount; i++) {
            long captured = originTimes.capturedAt(sampleKeys[i]);
            if (captured > 0) {
                found[n++] = sampleArrivals[i] - captured;
            }
        }
        long[] sorted = Arrays.copyOf(found, n);
        Arrays.sort(sorted);
        return sorted;
    }

    synchronized void resetLatencies() {
        sampleCount = 0;
    }

    private synchronized void sample(long key, long arrivedMicros) {
        if (sampleCount < sampleKeys.length) {
            sampleKeys[sampleCount] = key;
            sampleArrivals[sampleCount++] = arrivedMicros;
        }
    }

    /** One stream client. Its figures are written by the crowd's thread and read by the test. */
    final class Viewer {
        final int index;
        volatile long frames;
        /** Frames captured in the span {@link #countCapturedBetween} names, received. */
        volatile long inWindow;
        /** The capture time of the newest frame received, Unix microseconds. */
        volatile long lastCaptureMicros;
        volatile long lastFrameNanos;
        volatile long maxGapNanos;
        volatile int connections;
        volatile int disconnects;
        /** Answers other than 200: a balancer with no edge to give. */
        volatile int refusals;
        volatile String servedBy;
        volatile byte[] firstJpeg;
        private SocketChannel channel;
        private long reconnectAtNanos;
        private final Parser parser = new Parser();

        Viewer(int index) {
            this.index = index;
        }

        boolean connected() {
            return channel != null && parser.streaming;
        }

        /** Parses a response byte by byte; the JPEG bytes themselves are only checked at both ends. */
        private final class Parser {
            private final StringBuilder line = new StringBuilder();
            private final StringBuilder chunkLine = new StringBuilder();
            private boolean head = true;
            private boolean streaming;
            private boolean chunked;
            private long chunkLeft = -1; // -1: reading a size line; -2: reading the CRLF after a chunk
            private boolean inPart;
            private long partLength = -1;
            private long sequence = -1;
            private long lastSequence = Long.MIN_VALUE;
            private String timestamp;
            private long bodyLeft;
            private long bodyLength;
            private byte[] keep;
            private final byte[] tail = new byte[16];
            private boolean firstOfConnection;

            void reset() {
                line.setLength(0);
                chunkLine.setLength(0);
                head = true;
                streaming = false;
                chunked = false;
                chunkLeft = -1;
                inPart = false;
                partLength = -1;
                bodyLeft = 0;
                firstOfConnection = true;
            }

            void feed(ByteBuffer in) throws IOException {
                while (in.hasRemaining()) {
                    if (head) {
                        headByte(in.get());
                    } else if (!chunked) {
                        body(in, in.remaining());
                    } else if (chunkLeft > 0) {
                        int n = (int) Math.min(chunkLeft, in.remaining());
                        body(in, n);
                        chunkLeft -= n;
                        if (chunkLeft == 0) {
                            chunkLeft = -2;
                        }
                    } else {
                        chunkByte(in.get());
                    }
                }
            }

            private void headByte(byte b) throws IOException {
                if (b != '\n') {
                    if (line.length() > 8192) {
                        throw new IOException("response head over 8 KiB");
                    }
                    line.append((char) (b & 0xFF));
                    return;
                }
                String text = line.toString().strip();
                line.setLength(0);
                if (!streaming && text.startsWith("HTTP/")) {
                    if (!text.startsWith("HTTP/1.1 200")) {
                        throw new IOException("status: " + text);
                    }
                    streaming = true;
                    servedBy = null;
                } else if (text.isEmpty()) {
                    head = false;
                } else {
                    String lower = text.toLowerCase();
                    if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    } else if (lower.startsWith("x-served-by:")) {
                        servedBy = text.substring(text.indexOf(':') + 1).strip();
                    } else if (lower.startsWith("content-type:") && !text.contains("boundary=" + boundaryLine.substring(2))) {
                        throw new IOException("content type: " + text);
                    }
                }
            }

            private void chunkByte(byte b) throws IOException {
                if (b != '\n') {
                    chunkLine.append((char) (b & 0xFF));
                    if (chunkLine.length() > 100) {
                        throw new IOException("chunk size line over 100 bytes");
                    }
                    return;
                }
                String text = chunkLine.toString().strip();
                chunkLine.setLength(0);
                if (chunkLeft == -2) {
                    if (!text.isEmpty()) {
                        throw new IOException("no CRLF after a chunk");
                    }
                    chunkLeft = -1;
                    return;
                }
                int semicolon = text.indexOf(';');
                long size = Long.parseLong(semicolon < 0 ? text : text.substring(0, semicolon), 16);
                if (size == 0) {
                    throw new IOException("the stream ended (last chunk)");
                }
                chunkLeft = size;
            }

            /** {@code n} bytes of the multipart body. */
            private void body(ByteBuffer in, int n) throws IOException {
                int end = in.position() + n;
                while (in.position() < end) {
                    if (bodyLeft > 0) {
                        int take = (int) Math.min(bodyLeft, end - in.position());
                        int start = in.position();
                        long from = bodyLength - bodyLeft;
                        // Only both ends of a JPEG are looked at: FF D8 ... FF D9.
                        check(in, start, from, take, 0, 0xFF);
                        check(in, start, from, take, 1, 0xD8);
                        check(in, start, from, take, bodyLength - 2, 0xFF);
                        check(in, start, from, take, bodyLength - 1, 0xD9);
                        for (long at = Math.max(from, bodyLength - 18); at < Math.min(from + take, bodyLength - 2); at++) {
                            tail[(int) (at - (bodyLength - 18))] = in.get(start + (int) (at - from));
                        }
                        if (keep != null) {
                            in.get(start, keep, (int) (bodyLength - bodyLeft), take);
                        }
                        in.position(start + take);
                        bodyLeft -= take;
                        if (bodyLeft == 0) {
                            frameDone();
                        }
                        continue;
                    }
                    byte b = in.get();
                    if (b != '\n') {
                        if (line.length() > 1024) {
                            throw new IOException("a part header line over 1 KiB");
                        }
                        line.append((char) (b & 0xFF));
                        continue;
                    }
                    partLine(line.toString().strip());
                    line.setLength(0);
                }
            }

            /** Byte {@code at} of the JPEG, if in the {@code take} bytes from {@code start} (its byte {@code from}), is {@code expected}. */
            private void check(ByteBuffer in, int start, long from, int take, long at, int expected) throws IOException {
                if (at >= from && at < from + take && (in.get(start + (int) (at - from)) & 0xFF) != expected) {
                    throw new IOException(String.format("byte %d of a %d-byte JPEG is %02X (expected: %02X)", at,
                            bodyLength, in.get(start + (int) (at - from)) & 0xFF, expected));
                }
            }

            private void partLine(String text) throws IOException {
                if (!inPart) {
                    if (text.isEmpty()) {
                        return;
                    }
                    if (!text.equals(boundaryLine)) {
                        throw new IOException("expected the boundary, got: " + text);
                    }
                    inPart = true;
                    partLength = -1;
                    sequence = -1;
                    timestamp = null;
                    return;
                }
                if (text.isEmpty()) {
                    if (partLength < 20) {
                        throw new IOException("a part without Content-Length");
                    }
                    bodyLength = partLength;
                    bodyLeft = partLength;
                    keep = firstOfConnection ? new byte[(int) partLength] : null;
                    inPart = false;
                    return;
                }
                int colon = text.indexOf(':');
                if (colon < 0) {
                    throw new IOException("a part header without ':': " + text);
                }
                String name = text.substring(0, colon).strip().toLowerCase();
                String value = text.substring(colon + 1).strip();
                switch (name) {
                    case "content-length" -> partLength = Long.parseLong(value);
                    case "x-frame-sequence" -> sequence = Long.parseLong(value);
                    case "x-timestamp" -> timestamp = value;
                    default -> { }
                }
            }

            private void frameDone() {
                long now = System.nanoTime();
                if (keep != null) {
                    firstJpeg = keep;
                    keep = null;
                    firstOfConnection = false;
                }
                if (sequence == lastSequence) {
                    return; // the once-a-second repeat of a frame already counted
                }
                lastSequence = sequence;
                if (lastFrameNanos != 0) {
                    maxGapNanos = Math.max(maxGapNanos, now - lastFrameNanos);
                }
                lastFrameNanos = now;
                frames++;
                if (timestamp == null) {
                    return;
                }
                int dot = timestamp.indexOf('.');
                long captured = Long.parseLong(timestamp.substring(0, dot)) * 1_000_000
                        + Long.parseLong(timestamp.substring(dot + 1));
                lastCaptureMicros = captured;
                if (captured >= windowFrom && captured < windowTo) {
                    inWindow++;
                }
                long key = OriginFrameTimes.key(bodyLength, tail);
                if (origin) {
                    originTimes.captured(key, captured);
                }
                if (frames % 10 == 0) {
                    sample(key, nowMicros());
                }
            }
        }
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try {
            while (!closed) {
                connectSome();
                selector.select(20);
                for (SelectionKey key : selector.selectedKeys()) {
                    Viewer viewer = (Viewer) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            viewer.channel.finishConnect();
                            viewer.channel.write(ByteBuffer.wrap(request));
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            buffer.clear();
                            int read = viewer.channel.read(buffer);
                            if (read < 0) {
                                throw new IOException("closed by the server");
                            }
                            buffer.flip();
                            viewer.parser.feed(buffer);
                        }
                    } catch (IOException | RuntimeException e) {
                        lost(viewer, e);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            failure = "selector: " + e;
        } finally {
            for (Viewer viewer : viewers) {
                closeChannel(viewer);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // Nothing more to do.
            }
        }
    }

    /** Connects the viewers that are due, a few at a time so a crowd arrives as a ramp, not a flood. */
    private void connectSome() {
        long now = System.nanoTime();
        for (int i = 0; i < CONNECTS_PER_TICK && !toConnect.isEmpty() && toConnect.peek().reconnectAtNanos <= now; i++) {
            Viewer viewer = toConnect.poll();
            try {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                viewer.channel = channel;
                viewer.parser.reset();
                viewer.connections++;
                channel.connect(target);
                channel.register(selector, SelectionKey.OP_CONNECT, viewer);
            } catch (IOException e) {
                lost(viewer, e);
            }
        }
    }

    /** A viewer's connection ended or its stream broke: count it, and connect again after a short pause. */
    private void lost(Viewer viewer, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        boolean ended = e instanceof SocketException || why.contains("closed by the server")
                || why.contains("Connection reset") || why.contains("Connection refused") || why.contains("Broken pipe");
        if (why.startsWith("status: ")) {
            viewer.refusals++;
        } else if (!ended && failure == null) {
            failure = "viewer " + viewer.index + " (served by " + viewer.servedBy + "): " + why;
        }
        closeChannel(viewer);
        viewer.disconnects++;
        viewer.reconnectAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONNECT_DELAY_MILLIS);
        toConnect.add(viewer);
    }

    private static void closeChannel(Viewer viewer) {
        if (viewer.channel != null) {
            try {
                viewer.channel.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
            viewer.channel = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        selector.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
