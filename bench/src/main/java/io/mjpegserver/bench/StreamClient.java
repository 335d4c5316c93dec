package io.mjpegserver.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Instant;

/**
 * One stream connection: sends the request, parses the response as it arrives and counts what the window
 * sees. Every method runs on the channel's event loop; the counters are read by the main thread only after
 * the loops have stopped.
 */
final class StreamClient extends ChannelInboundHandlerAdapter implements PartListener {

    private final RunState run;
    private final ByteBuf request;
    private final StreamParser parser = new StreamParser(this, StreamClient::wallClockMicros);
    private long lastSequence = -1;
    private boolean ended;
    private boolean closedByUs;
    boolean connected;

    // Counted in the measurement window only.
    long frames;
    long repeats;
    long skipped;
    long invalid;
    long bytes;
    long withoutSequence;
    long withoutTimestamp;

    /** @param request the request bytes, shared and unreleasable: each connection writes a duplicate */
    StreamClient(RunState run, ByteBuf request) {
        this.run = run;
        this.request = request;
    }

    static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connected = true;
        run.active.incrementAndGet();
        ctx.writeAndFlush(request.duplicate(), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            int n = in.readableBytes();
            run.bytes.add(n);
            if (run.measuring()) {
                bytes += n;
            }
            parser.feed(in);
        } catch (ProtocolException e) {
            run.protocolError(e.getMessage());
            closedByUs = true;
            ctx.close();
        } finally {
            in.release(); // the transport's read buffer, ours to release
        }
    }

    @Override
    public void onPart(long length, long sequence, long timestampMicros, long arrivalMicros, boolean validJpeg) {
        run.parts.increment();
        boolean measuring = run.measuring();
        boolean repeat = false;
        if (sequence >= 0) {
            if (lastSequence >= 0 && sequence <= lastSequence) {
                repeat = true; // the server re-sends the newest frame when the source stalls
            } else {
                if (lastSequence >= 0 && measuring) {
                    skipped += sequence - lastSequence - 1;
                }
                lastSequence = sequence;
            }
        } else if (measuring) {
            withoutSequence++;
        }
        if (!measuring) {
            return;
        }
        if (!validJpeg) {
            invalid++;
        } else if (repeat) {
            repeats++;
        } else {
            frames++;
            if (timestampMicros >= 0) {
                run.recordLatency(arrivalMicros - timestampMicros);
            } else {
                withoutTimestamp++;
            }
        }
    }

    @Override
    public void onEnd() {
        ended = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        run.active.decrementAndGet();
        if (!run.stopping() && !closedByUs) {
            try {
                parser.endOfInput();
                run.disconnect(ended ? "the server ended the stream" : "the server closed the connection between parts");
            } catch (ProtocolException e) {
                run.truncated(e.getMessage());
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!run.stopping() && !closedByUs) {
            run.ioError(cause instanceof IOException ? String.valueOf(cause.getMessage()) : cause.toString());
        }
        closedByUs = true;
        ctx.close();
    }
}
