package io.mjpegserver.capture.relay;

/**
 * What an upstream did wrong, in words for users, phrased to follow the upstream's name: {@code sent a part of
 * 9437184 bytes, over the 8388608-byte limit}. The relay reports it once, through the sink.
 */
final class RelayException extends Exception {

    RelayException(String whatHappened) {
        super(whatHappened, null, false, false);
    }
}
