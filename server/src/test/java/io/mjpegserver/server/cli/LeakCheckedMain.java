package io.mjpegserver.server.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The real command for a child JVM of a test, with a last look for leaks when it ends. Netty's leak detector
 * reports a buffer only once the buffer was garbage-collected and the detector is then asked to track another
 * one; a server that just stopped does neither, so without this a leak at shutdown would never be reported.
 * Run with {@code -Dio.netty.leakDetection.level=paranoid}. {@code --leak-a-buffer} first drops one buffer
 * unreleased after the server stopped, to show that such a leak is reported.
 */
public final class LeakCheckedMain {

    static final String LEAK_A_BUFFER = "--leak-a-buffer";

    private LeakCheckedMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean leak = args.length > 0 && args[0].equals(LEAK_A_BUFFER);
        String[] serveArgs = leak ? Arrays.copyOfRange(args, 1, args.length) : args;
        int status = ServeCommand.commandLine(new ServeCommand()).execute(serveArgs);
        // The signal handlers hold the command, and through it the stopped server: let it all be collected.
        Signal.handle(new Signal("TERM"), SignalHandler.SIG_DFL);
        Signal.handle(new Signal("INT"), SignalHandler.SIG_DFL);
        if (leak) {
            dropUnreleased();
        }
        lookForLeaks();
        System.exit(status);
    }

    private static void dropUnreleased() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }

    /**
     * Collects garbage, waits until the collection's references are enqueued (a sentinel of our own is among
     * them), then allocates a buffer: tracking it makes the detector report what was collected unreleased.
     */
    private static void lookForLeaks() throws InterruptedException {
        ReferenceQueue<Object> collected = new ReferenceQueue<>();
        for (int round = 0; round < 3; round++) {
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), collected);
            System.gc();
            if (collected.remove(5_000) != sentinel) {
                System.err.println("LeakCheckedMain: no garbage collection within 5 s");
            }
            PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }
}
