package io.mjpegserver.server.stream;

/** Everything streamed since start, ended sessions included. */
public record StreamTotals(long framesSent, long framesSkipped, long bytesSent, long sessionsStarted) {
}
