package io.mjpegserver.server.stream;

import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Stream;

/** Streams for handler tests of an HTTP/2 connection's pipeline without a codec. */
final class Http2TestStreams {

    private Http2TestStreams() {
    }

    /** An open stream with the given id. */
    static Http2FrameStream open(int id) {
        return new Http2FrameStream() {
            @Override
            public int id() {
                return id;
            }

            @Override
            public Http2Stream.State state() {
                return Http2Stream.State.OPEN;
            }
        };
    }
}
