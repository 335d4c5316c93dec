package io.mjpegserver.server.cli;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.FrameSource;
import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.source.FrameSources;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.testing.ServerFixture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server whose source's grab throws {@code new OutOfMemoryError("test")} a few frames after it is up, with the production
 * fatal handler: run as a child JVM by {@link FatalErrorExitTest}. Prints {@code started} once serving; exits 0
 * after a minute if nothing ended it (which the test reads as the zombie it must not be).
 */
public final class FatalCaptureMain {

    private FatalCaptureMain() {
    }

    public static void main(String[] args) throws Exception {
        CaptureConfig capture = new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(160, 120), 30, 80, 4);
        FrameSource pattern = FrameSources.create(capture);
        AtomicBoolean armed = new AtomicBoolean();
        FrameSource failing = new FrameSource() {
            private int grabs;

            @Override
            public ByteBuf grab(ByteBufAllocator alloc) throws SourceException {
                // A few frames once the server is up (and has said so), then the Error.
                if (armed.get() && ++grabs == 5) {
                    throw new OutOfMemoryError("test");
                }
                return pattern.grab(alloc);
            }

            @Override public void open() throws SourceException { pattern.open(); }
            @Override public int width() { return pattern.width(); }
            @Override public int height() { return pattern.height(); }
            @Override public double pacingFps() { return pattern.pacingFps(); }
            @Override public void close() { pattern.close(); }
        };
        MjpegServer server = MjpegServer.builder(ServerFixture.oneFeed(ServerConfig.builder().host("127.0.0.1").port(0).build(),
                capture)).source(failing).allocator(PooledByteBufAllocator.DEFAULT).start();
        System.out.println("started on port " + server.port());
        System.out.flush();
        armed.set(true);
        Thread.sleep(TimeUnit.MINUTES.toMillis(1));
        server.close();
    }
}
