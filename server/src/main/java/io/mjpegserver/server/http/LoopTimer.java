package io.mjpegserver.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A handler's one-shot timeout on its channel's event loop; used on that loop only. */
final class LoopTimer {

    private ScheduledFuture<?> pending;

    /** Runs {@code task} after {@code nanos}, in place of what was scheduled; unarmed again when it runs. */
    void schedule(ChannelHandlerContext ctx, Runnable task, long nanos) {
        cancel();
        pending = ctx.executor().schedule(() -> {
            pending = null;
            task.run();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    boolean armed() {
        return pending != null;
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
