package io.mjpegserver.server.feed;

import io.mjpegserver.capture.derive.DeriveObserver;
import io.mjpegserver.capture.derive.DeriveWorkers;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.server.stream.Broadcaster;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What derived frames are made with: the server's derive workers and allocator, a broadcaster for each derived
 * feed, and where their figures go.
 *
 * @param broadcasters a broadcaster for a derived feed: its demand, and its ring's budget
 * @param observers    the observer of a derived feed's frames, by its source feed's name
 */
record DeriveTools(DeriveWorkers workers, ByteBufAllocator alloc,
        BiFunction<FeedCapture, FrameBudget, Broadcaster> broadcasters, Function<String, DeriveObserver> observers) {
}
