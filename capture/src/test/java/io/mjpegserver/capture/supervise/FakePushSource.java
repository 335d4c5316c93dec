package io.mjpegserver.capture.supervise;

import io.mjpegserver.capture.FrameSink;
import io.mjpegserver.capture.PushSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.encode.NoSignalImage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A pushed source for tests: its frames and failures come on its own thread, {@code fake-loop} (as a relay's come on
 * a Netty event loop), when the test says. Each open hands the test the new sink. Real JPEGs (drawn as NO SIGNAL
 * images with a different caption each), whose bytes it remembers so a test can tell live frames from the
 * supervisor's NO SIGNAL frames. The test closes it (its thread).
 */
final class FakePushSource implements PushSource {

    static final String LOOP = "fake-loop";

    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    /** Each sink, as opened. */
    final LinkedBlockingQueue<FrameSink> opened = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<String> closed = new LinkedBlockingQueue<>();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, LOOP));
    private final Set<Integer> liveHashes = ConcurrentHashMap.newKeySet();
    private final ByteBufAllocator alloc;
    private final double fps;
    /** What to do on the loop at each open (e.g. fail at once, or send a frame); nothing by default. */
    volatile Consumer<FrameSink> onOpen = sink -> { };

    FakePushSource(ByteBufAllocator alloc, double fps) {
        this.alloc = alloc;
        this.fps = fps;
    }

    @Override
    public void open(FrameSink sink) {
        opens.incrementAndGet();
        opened.add(sink);
        Consumer<FrameSink> action = onOpen;
        loop.execute(() -> action.accept(sink));
    }

    @Override
    public double nominalFps() {
        return fps;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        closed.add("closed");
    }

    /** A new live JPEG of that size, captioned {@code caption}; the caller owns it. */
    ByteBuf jpeg(int width, int height, String caption) throws SourceException {
        try (NoSignalImage image = new NoSignalImage(width, height, 80)) {
            ByteBuf jpeg = image.render(0, caption, alloc);
            liveHashes.add(ByteBufUtil.hashCode(jpeg));
            return jpeg;
        }
    }

    /** Whether {@code jpeg} is one of ours rather than the supervisor's NO SIGNAL. */
    boolean live(ByteBuf jpeg) {
        return liveHashes.contains(ByteBufUtil.hashCode(jpeg));
    }

    /** Delivers {@code jpeg} (ownership passes to the sink) to {@code sink} on the loop thread. */
    void send(FrameSink sink, ByteBuf jpeg) {
        loop.execute(() -> sink.frame(jpeg));
    }

    void fail(FrameSink sink, String reason) {
        loop.execute(() -> sink.failed(reason));
    }

    /** Runs {@code task} on the loop and waits for it (bounded). */
    void onLoop(Runnable task) throws Exception {
        loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    FrameSink nextSink() throws InterruptedException {
        FrameSink sink = opened.poll(15, TimeUnit.SECONDS);
        if (sink == null) {
            throw new AssertionError("the source was not opened within 15 s");
        }
        return sink;
    }

    /** Stops the loop thread. */
    void shutdown() throws InterruptedException {
        loop.shutdown();
        loop.awaitTermination(5, TimeUnit.SECONDS);
    }
}
