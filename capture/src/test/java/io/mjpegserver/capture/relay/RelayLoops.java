package io.mjpegserver.capture.relay;

import io.mjpegserver.capture.FatalErrorHandler;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The client loops a test class's relays read on, and the relays themselves, each closed after its test even
 * when the test fails half-way (or its read buffer would leak):
 * {@code @RegisterExtension static final RelayLoops relays = new RelayLoops();}
 */
final class RelayLoops implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final Queue<HttpRelaySource> opened = new ConcurrentLinkedQueue<>();
    private EventLoopGroup group;

    @Override
    public void beforeAll(ExtensionContext context) {
        group = new MultiThreadIoEventLoopGroup(2,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The loops, for a test that builds a relay's parts itself. */
    EventLoopGroup group() {
        return group;
    }

    /** A relay of {@code uri} on these loops, closed after the test. */
    HttpRelaySource relay(URI uri, RelayOptions options) {
        return relay(uri, options, PooledByteBufAllocator.DEFAULT, FatalErrorHandler.HALT);
    }

    /** A relay of {@code uri} reading into {@code alloc}'s buffers and telling {@code fatal} of an Error, closed after the test. */
    HttpRelaySource relay(URI uri, RelayOptions options, ByteBufAllocator alloc, FatalErrorHandler fatal) {
        HttpRelaySource source = new HttpRelaySource(uri, group, alloc, options, fatal);
        opened.add(source);
        return source;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (HttpRelaySource source; (source = opened.poll()) != null; ) {
            source.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
