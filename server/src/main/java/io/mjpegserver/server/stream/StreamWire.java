package io.mjpegserver.server.stream;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;

/**
 * How one client's stream goes on the wire in its protocol: the response head, each part, the end. The
 * session decides what to send; its wire decides the framing. Every buffer written is derived from the
 * shared part or from constant bytes, never a copy. One instance per session, confined to its event loop.
 */
interface StreamWire {

    /** The protocol, as {@code /state} shows it: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}. */
    String protocol();

    /** Writes the response head and the first delimiter, and flushes. */
    void open(ChannelHandlerContext ctx);

    /**
     * Writes {@code part} (the caller keeps its reference), not flushed yet: {@link #flush} follows. Failures
     * reach the pipeline's {@code exceptionCaught}.
     *
     * @return the bytes this puts on the wire for the client, framing included
     */
    int write(ChannelHandlerContext ctx, Part part);

    /**
     * Flushes what {@link #write} wrote: at once for a connection of its own; for an HTTP/2 stream, through
     * {@code loop}, once per connection when the loop has offered the part to every stream.
     */
    void flush(ChannelHandlerContext ctx, LoopSessions loop);

    /** Bytes written and not yet taken by the client's socket (over HTTP/2: by its stream); from any thread. */
    long pending(ChannelHandlerContext ctx);

    /**
     * Whether the client has taken everything written to it ({@link #pending} is 0), asked on the loop once per
     * client per frame: as cheap as the wire can make it.
     */
    boolean allTaken(ChannelHandlerContext ctx);

    /**
     * Takes room for a part of {@code length} bytes, written at once by {@link #write}, the client having taken all
     * it was sent: false when what its connection holds unsent (over HTTP/2, for all its streams) is at its bound.
     * Then the part is skipped.
     */
    default boolean reserve(ChannelHandlerContext ctx, int length) {
        return true;
    }

    /**
     * Runs {@code taken} on the loop once everything written so far has been taken, or the write failed;
     * possibly from inside the write path, before {@link #pending} has caught up. Called when a part is skipped, at most once until it runs: it costs an allocation
     * or two, never on a frame that is sent.
     */
    void whenTaken(ChannelHandlerContext ctx, Runnable taken);

    /**
     * Ends the body cleanly (the last chunk, the end of the HTTP/2 stream, nothing for HTTP/1.0, which ends
     * with the connection) and closes once everything written has gone out.
     *
     * @return the future of that close
     */
    ChannelFuture end(ChannelHandlerContext ctx);
}
