package io.mjpegserver.bench;

/** What a {@link StreamParser} reports, on the thread that feeds it. */
interface PartListener {

    /**
     * A complete part, reported once the delimiter after it has arrived (so a wrong Content-Length is a
     * protocol error, never a frame).
     *
     * @param length          the part's Content-Length
     * @param sequence        its {@code X-Frame-Sequence}, or -1 when it has none
     * @param timestampMicros its {@code X-Timestamp} in microseconds since the epoch, or -1 when it has none
     * @param arrivalMicros   the parser's clock when the part's last byte arrived
     * @param validJpeg       Content-Type image/jpeg, starts with FF D8 and ends with FF D9
     */
    void onPart(long length, long sequence, long timestampMicros, long arrivalMicros, boolean validJpeg);

    /** The server ended the stream cleanly: the last chunk, or a close delimiter. */
    default void onEnd() {
    }
}
