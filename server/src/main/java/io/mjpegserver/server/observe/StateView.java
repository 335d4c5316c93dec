package io.mjpegserver.server.observe;

import java.util.List;
import java.util.Map;

/**
 * What {@code /state} shows, as JSON. Field names are the JSON keys.
 *
 * @param server  the server process
 * @param source  the default feed's source, at the top level for scripts written for one feed
 * @param ring    the default feed's ring
 * @param clients the default feed's stream clients
 * @param feeds   every feed, the default first, each with its source, ring, clients and variants
 * @param walls   the walls being watched
 */
public record StateView(Server server, Source source, Ring ring, List<Client> clients, List<Feed> feeds,
        List<Derived> walls) {

    /** Without walls. */
    public StateView(Server server, Source source, Ring ring, List<Client> clients, List<Feed> feeds) {
        this(server, source, ring, clients, feeds, List.of());
    }

    /**
     * One feed.
     *
     * @param name     what {@code /cam/NAME/...} names
     * @param stream   its stream's path
     * @param snapshot its snapshot's path
     */
    public record Feed(String name, String stream, String snapshot, Source source, Ring ring, List<Client> clients,
            Memory memory, List<Derived> variants) {

        /** Without variants, for a feed that has none. */
        public Feed(String name, String stream, String snapshot, Source source, Ring ring, List<Client> clients,
                Memory memory) {
            this(name, stream, snapshot, source, ring, clients, memory, List.of());
        }
    }

    /**
     * A variant of a feed, or a wall, while it lives.
     *
     * @param name          the variant's {@code 640x360q50}, a wall's feeds
     * @param clients       its holds: stream clients, and snapshots within their grace
     * @param streams       of those, stream clients
     * @param framesIn      frames taken from its input
     * @param framesOut     frames derived and published
     * @param framesDropped frames not derived because a newer one came first
     */
    public record Derived(String name, int width, int height, int quality, int clients, int streams, long framesIn,
            long framesOut, long framesDropped) {
    }

    /**
     * @param directMemoryBytes direct memory the process uses now (frames, connections), -1 when not known
     */
    public record Server(String version, String transport, String host, int port, String startedAt, double uptimeSeconds,
            long streamsServed, long framesSent, long framesSkipped, long bytesSent, long directMemoryBytes) {
    }

    /**
     * A feed's memory budget.
     *
     * @param budgetBytes        what its frames may take (its {@code memory}, less a relay's part being read)
     * @param usedBytes          what its frames take now: the ring's, and those clients still hold in flight
     * @param framesDropped      frames the ring dropped before their time to stay within the budget
     * @param clientsClosed      clients closed because the frame they held was beyond the budget
     */
    public record Memory(long budgetBytes, long usedBytes, long framesDropped, long clientsClosed) {
    }

    /**
     * @param configuredSize {@code WxH}, or {@code null} for the source's own
     * @param configuredFps  the rate configured, else the source's own as far as it is known (a file's, a polled
     *                       snapshot's, an RTSP stream's once open); {@code null} while not known
     * @param width          the size of the source's frames once known (it opened, or sent a frame), else {@code null}
     * @param lastError      the last failure, in words for users, kept after recovery; {@code null} if none
     * @param failures       times the source was lost, whatever the cause
     * @param hangs          of those, grabs that did not return in time
     * @param internalErrors exceptions from our own code on the capture threads: bugs to report
     * @param passedThrough  the source's own JPEGs go out, with no encode
     * @param idle           an on-demand source closed for lack of clients (not a failure)
     * @param framesIncomplete frames the source delivered incomplete, dropped, never sent: a relayed part whose
     *                       Content-Length was wrong, a JPEG cut short
     * @param controls       a camera's controls given by the feed, as the camera holds them once set; {@code null}
     *                       for none
     */
    public record Source(String kind, String source, boolean online, String lastError, String configuredSize,
            Double configuredFps, Integer width, Integer height, double actualFps, long framesCaptured, long noSignalFrames,
            long reopens, double lastGrabMillis, double lastEncodeMillis, double secondsSinceLastFrame, long failures,
            long hangs, long internalErrors, boolean passedThrough, boolean idle, long framesIncomplete,
            Map<String, Integer> controls) {
    }

    /** A feed's frame ring: its slots, the frames and JPEG bytes it holds, and the frames published into it. */
    public record Ring(int capacity, int occupancy, long bytes, long published) {
    }

    /**
     * {@code protocol}: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}; {@code requestedFps}: the client's
     * {@code ?fps=}, 0 for every frame; {@code framesDecimated}: held back by it.
     */
    public record Client(String remote, String path, String protocol, String connectedSince, long framesSent, long framesSkipped,
            long bytesSent, long pendingBytes, double fps, double requestedFps, long framesDecimated) {
    }
}
