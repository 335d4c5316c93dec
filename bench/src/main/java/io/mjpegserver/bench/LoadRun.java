package io.mjpegserver.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * One load run: opens the connections at the configured rate, warms up, measures for a fixed window, then
 * closes everything. Runs on the calling thread, which only waits and prints progress; the connections live
 * on an event loop group this run creates and shuts down.
 */
final class LoadRun {

    private final LoadConfig config;
    private final Progress progress;
    private final RunState run = new RunState();
    private final List<StreamClient> clients = new ArrayList<>();
    private final AtomicInteger pendingConnects = new AtomicInteger();

    LoadRun(LoadConfig config, Progress progress) {
        this.config = config;
        this.progress = progress;
    }

    RunResult run() throws InterruptedException {
        ClientTransport transport = ClientTransport.best();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.threads(), new DefaultThreadFactory("bench-io"),
                transport.ioHandlerFactory());
        ChannelGroup channels = new DefaultChannelGroup("streams", GlobalEventExecutor.INSTANCE);
        ByteBuf request = request(config);
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                    .option(ChannelOption.TCP_NODELAY, true);
            ramp(bootstrap, channels, request);
            run.phase(RunState.Phase.WARMUP);
            waitUntil(System.nanoTime() + config.warmup().toNanos(), "warm-up", config.warmup().toNanos());
            RunResult.Window window = measure();
            run.phase(RunState.Phase.DONE);
            channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            return RunResult.of(config, transport, run, clients, window);
        } finally {
            run.phase(RunState.Phase.DONE);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** The request, as bytes every connection shares: unreleasable, written as duplicates. */
    static ByteBuf request(LoadConfig config) {
        String text = "GET " + config.path() + (config.http10() ? " HTTP/1.0" : " HTTP/1.1") + "\r\n"
                + "Host: " + config.hostHeader() + "\r\n"
                + "User-Agent: mjpeg-bench\r\n"
                + "Accept: */*\r\n\r\n";
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, US_ASCII)).asReadOnly();
    }

    /** Opens the connections at the ramp rate, then waits (bounded) until every attempt has succeeded or failed. */
    private void ramp(Bootstrap bootstrap, ChannelGroup channels, ByteBuf request) throws InterruptedException {
        long start = System.nanoTime();
        long rampNanos = (long) (config.clients() * 1e9 / config.rampPerSecond());
        int opened = 0;
        while (opened < config.clients()) {
            long elapsed = System.nanoTime() - start;
            int due = (int) Math.min(config.clients(), 1 + elapsed * config.rampPerSecond() / 1e9);
            for (; opened < due; opened++) {
                StreamClient client = new StreamClient(run, request);
                clients.add(client);
                pendingConnects.incrementAndGet();
                ChannelFuture connect = bootstrap.clone().handler(client).connect(config.address());
                channels.add(connect.channel());
                connect.addListener(done -> {
                    if (!done.isSuccess()) {
                        run.connectFailure(String.valueOf(done.cause().getMessage()));
                    }
                    pendingConnects.decrementAndGet();
                });
            }
            progress.maybePrint("ramp", elapsed, rampNanos, run, config.clients());
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long deadline = System.nanoTime() + config.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (pendingConnects.get() > 0 && deadline - System.nanoTime() > 0) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private RunResult.Window measure() throws InterruptedException {
        ProcStat serverStart = server();
        long cpuStart = processCpuNanos();
        int activeAtStart = run.active.get();
        run.latency.reset();
        run.phase(RunState.Phase.MEASURE);
        long t0 = System.nanoTime();
        long rssMax = waitUntil(t0 + config.duration().toNanos(), "measure", config.duration().toNanos());
        run.phase(RunState.Phase.DONE);
        long t1 = System.nanoTime();
        Histogram latency = run.latency.getIntervalHistogram();
        long cpuEnd = processCpuNanos();
        ProcStat serverEnd = server();
        return new RunResult.Window((t1 - t0) / 1e9, activeAtStart, run.active.get(), latency,
                (cpuEnd - cpuStart) / 1e9, serverStart, serverEnd, Math.max(rssMax, serverEnd == null ? 0 : serverEnd.rssBytes()));
    }

    /** Waits until {@code deadline}, printing progress; returns the largest server RSS seen on the way. */
    private long waitUntil(long deadline, String phase, long phaseNanos) throws InterruptedException {
        long start = deadline - phaseNanos;
        long rssMax = 0;
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            progress.maybePrint(phase, System.nanoTime() - start, phaseNanos, run, config.clients());
            ProcStat server = server();
            if (server != null) {
                rssMax = Math.max(rssMax, server.rssBytes());
            }
        }
        return rssMax;
    }

    private ProcStat server() {
        if (config.serverPid() == 0) {
            return null;
        }
        try {
            return ProcStat.read(config.serverPid());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This process's user plus system CPU time. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
