package io.mjpegserver.capture.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mjpegserver.capture.FatalErrorHandler;
import io.mjpegserver.capture.FrameSink;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An {@link Error} on a relay's event loop (out of memory while reading a part, ...) goes to the fatal handler,
 * which ends the process in production, instead of being told to the sink as an upstream failure; an ordinary
 * exception stays an upstream failure.
 */
class RelayFatalErrorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<byte[]> JPEGS = TestJpegs.make(3, 160, 120);

    @RegisterExtension
    static final RelayLoops relays = new RelayLoops();

    /** Records the first Error instead of halting. */
    static final class RecordingFatal implements FatalErrorHandler {
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        volatile String where;

        @Override
        public void fatal(String where, Throwable error) {
            this.where = where;
            this.error.complete(error);
        }

        /** The Error handed over within {@link #WAIT}; fails saying what the sink was told if there was none. */
        Throwable await(CompletableFuture<String> sinkFailure) throws Exception {
            try {
                return error.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return fail("no Error reached the fatal handler within " + WAIT + "; the sink was told: "
                        + sinkFailure.getNow("nothing"));
            }
        }
    }

    /** A sink that releases each frame and throws what {@code thrown} gives; records the failure report. */
    static final class ThrowingSink implements FrameSink {
        final CompletableFuture<String> failure = new CompletableFuture<>();
        final AtomicInteger failures = new AtomicInteger();
        private final Supplier<? extends Throwable> thrown;

        ThrowingSink(Supplier<? extends Throwable> thrown) {
            this.thrown = thrown;
        }

        @Override
        public void frame(ByteBuf jpeg) {
            jpeg.release();
            Throwable t = thrown.get();
            if (t instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) t;
        }

        @Override
        public void failed(String reason) {
            failures.incrementAndGet();
            failure.complete(reason);
        }

        String awaitFailure(Duration timeout) throws Exception {
            return failure.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Frame 0, then (once {@code next} is counted down) the other frames, then holds the connection. */
    private static TestUpstream upstream(CountDownLatch next) throws Exception {
        MjpegDialect dialect = MjpegDialect.all().get(1); // HTTP/1.0, close-delimited: the parts as they are
        return new TestUpstream(exchange -> {
            exchange.readRequest();
            exchange.write(dialect.head());
            exchange.write(dialect.part(0, JPEGS.get(0))); // with its Content-Length: delivered as it ends
            if (next.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                rest.write(dialect.part(1, JPEGS.get(1)));
                rest.write(dialect.part(2, JPEGS.get(2)));
                exchange.write(rest.toByteArray());
            }
            exchange.holdUntilClientCloses();
        });
    }

    @Test
    void anErrorFromTheSinkGoesToTheFatalHandler() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory");
        try (TestUpstream upstream = upstream(new CountDownLatch(0))) {
            RecordingFatal fatal = new RecordingFatal();
            ThrowingSink sink = new ThrowingSink(() -> oom);
            relays.relay(upstream.uri("/video"), RelayOptions.DEFAULTS, PooledByteBufAllocator.DEFAULT, fatal).open(sink);
            assertSame(oom, fatal.await(sink.failure));
            assertTrue(fatal.where.startsWith("relay loop "), fatal.where);
            assertEquals(0, sink.failures.get(), "an Error is not an upstream failure: " + sink.failure.getNow(null));
        }
    }

    @Test
    void anAllocationOutOfMemoryGoesToTheFatalHandler() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        // Once armed, the next buffer the relay asks for (a read buffer, or a part's cumulation) fails as a full
        // direct memory does.
        ByteBufAllocator alloc = new AbstractByteBufAllocator(true) {
            @Override
            public boolean isDirectBufferPooled() {
                return true;
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                if (armed.compareAndSet(true, false)) {
                    throw new OutOfMemoryError("Cannot reserve " + initialCapacity + " bytes of direct buffer memory");
                }
                return PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                if (armed.compareAndSet(true, false)) {
                    throw new OutOfMemoryError("Java heap space");
                }
                return PooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            }
        };
        CountDownLatch next = new CountDownLatch(1);
        try (TestUpstream upstream = upstream(next)) {
            RecordingFatal fatal = new RecordingFatal();
            RecordingSink sink = new RecordingSink();
            relays.relay(upstream.uri("/video"), RelayOptions.DEFAULTS, alloc, fatal).open(sink);
            sink.take(1, WAIT);
            armed.set(true);
            next.countDown();
            Throwable error = fatal.await(sink.failure);
            assertTrue(FatalErrorHandler.errorIn(error) instanceof OutOfMemoryError, String.valueOf(error));
            assertFalse(sink.failure.isDone() && sink.failure.getNow("").contains("OutOfMemoryError"),
                    "an Error is not an upstream failure: " + sink.failure.getNow(null));
        }
    }

    @Test
    void aRuntimeExceptionStaysAnUpstreamFailure() throws Exception {
        try (TestUpstream upstream = upstream(new CountDownLatch(0))) {
            RecordingFatal fatal = new RecordingFatal();
            ThrowingSink sink = new ThrowingSink(() -> new IllegalStateException("a bug in the sink"));
            relays.relay(upstream.uri("/video"), RelayOptions.DEFAULTS, PooledByteBufAllocator.DEFAULT, fatal).open(sink);
            String reason = sink.awaitFailure(WAIT);
            assertTrue(reason.contains("internal error in the relay (IllegalStateException)"), reason);
            assertFalse(fatal.error.isDone(), "not fatal: " + fatal.error.getNow(null));
        }
    }
}
