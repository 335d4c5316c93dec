package io.mjpegserver.capture.relay;

import io.netty.buffer.ByteBuf;

/**
 * Reads one {@code image/jpeg} response body (a snapshot URL) into the {@link FrameCumulation}, bounded by the
 * part size limit. Event loop only.
 */
final class SnapshotReader {

    private final FrameCumulation cumulation;
    private final int maxBytes;

    /** @param declaredLength the response's Content-Length, or -1 */
    SnapshotReader(FrameCumulation cumulation, int maxBytes, long declaredLength) throws RelayException {
        this.cumulation = cumulation;
        this.maxBytes = maxBytes;
        if (declaredLength > maxBytes) {
            throw tooBig(declaredLength);
        }
        if (declaredLength > 0) {
            cumulation.reserve((int) declaredLength);
        }
    }

    /** Takes the bytes of {@code content} (not released: the caller releases it). */
    void read(ByteBuf content) throws RelayException {
        long total = (long) cumulation.readable() + content.readableBytes();
        if (total > maxBytes) {
            throw tooBig(total);
        }
        cumulation.append(content);
    }

    /** Whether some of the image has come. */
    boolean started() {
        return cumulation.readable() > 0;
    }

    /** The whole image, as a retained slice the caller releases (or hands on). */
    ByteBuf finish() throws RelayException {
        int length = cumulation.readable();
        if (length == 0) {
            throw new RelayException("answered an empty image");
        }
        return cumulation.takeFrame(0, length, length);
    }

    private RelayException tooBig(long length) {
        return new RelayException("sent an image of " + length + " bytes or more, over the limit of " + maxBytes
                + " (raise it with --relay-max-part if the camera's JPEGs are really this big)");
    }
}
