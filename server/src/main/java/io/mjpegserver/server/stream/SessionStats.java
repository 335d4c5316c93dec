package io.mjpegserver.server.stream;

/**
 * One stream client as seen at one moment.
 *
 * @param remote          the client's address
 * @param path            the request path it streams from
 * @param protocol        {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
 * @param connectedMillis wall-clock time of connection, ms since the epoch
 * @param framesSent      parts written to it
 * @param framesSkipped   parts not written because its socket was still busy
 * @param bytesSent       bytes written to it, framing included
 * @param pendingBytes    bytes queued in user space, not yet taken by its socket
 * @param lastSequence    sequence number of the last frame written, 0 before the first
 * @param fps             frames written per second over the last second or so
 * @param requestedFps    the most frames per second the client asked for ({@code ?fps=}), 0 for every frame
 * @param framesDecimated parts not written because they came sooner than its {@code ?fps=} allows (apart
 *                        from skips)
 */
public record SessionStats(String remote, String path, String protocol, long connectedMillis, long framesSent, long framesSkipped,
        long bytesSent, long pendingBytes, long lastSequence, double fps, double requestedFps, long framesDecimated) {
}
