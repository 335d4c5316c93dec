package io.mjpegserver.server.observe;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureStats;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.frame.FrameBudget;
import io.mjpegserver.capture.frame.FrameRing;
import io.mjpegserver.server.stream.SessionStats;
import io.mjpegserver.server.stream.StreamTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds what {@code /state} shows from the facts the server and its feeds expose. */
public final class StateViews {

    /**
     * What the server says of itself in {@code /state}.
     *
     * @param host        the host listened on, or the socket's name where there is no host
     * @param uptimeNanos time since start
     */
    public record ServerFacts(String version, String transport, String host, int port, Instant startedAt,
            long uptimeNanos) {
    }

    private StateViews() {
    }

    /** The server, every feed, and the default (first) feed's figures at the top level. */
    public static StateView state(ServerFacts facts, List<? extends WatchedFeed> feeds) {
        return state(facts, feeds, List.of());
    }

    /** As above, with the walls being watched. */
    public static StateView state(ServerFacts facts, List<? extends WatchedFeed> feeds, List<StateView.Derived> walls) {
        long served = 0;
        long sent = 0;
        long skipped = 0;
        long bytes = 0;
        List<StateView.Feed> views = new ArrayList<>();
        for (WatchedFeed feed : feeds) {
            StreamTotals totals = feed.broadcaster().totals();
            served += totals.sessionsStarted();
            sent += totals.framesSent();
            skipped += totals.framesSkipped();
            bytes += totals.bytesSent();
            views.add(feed(feed));
        }
        StateView.Server server = new StateView.Server(facts.version(), facts.transport(), facts.host(), facts.port(),
                facts.startedAt().toString(), Math.round(facts.uptimeNanos() / 1e6) / 1000.0, served, sent, skipped,
                bytes, DirectMemory.used());
        StateView.Feed first = views.isEmpty() ? null : views.get(0);
        return first == null ? new StateView(server, null, null, List.of(), views, walls)
                : new StateView(server, first.source(), first.ring(), first.clients(), views, walls);
    }

    /** One feed in {@code /state}. */
    public static StateView.Feed feed(WatchedFeed feed) {
        return new StateView.Feed(feed.name(), feed.streamPath(), feed.snapshotPath(), source(feed), ring(feed),
                clients(feed), memory(feed), feed.derived());
    }

    /** The source part of a feed, also what {@code /healthz} judges. */
    public static StateView.Source source(WatchedFeed feed) {
        CaptureConfig config = feed.config();
        CaptureStats stats = feed.captureStats();
        VideoSize size = feed.knownSize();
        return new StateView.Source(config.source().kind(), config.source().describe(), stats.online(),
                stats.lastError(), config.size() == null ? null : config.size().toString(), feed.configuredFps(),
                size == null ? null : size.width(), size == null ? null : size.height(), round(stats.actualFps()),
                stats.framesCaptured(), stats.noSignalFrames(), stats.reopens(), round(stats.lastGrabNanos() / 1e6),
                round(stats.lastEncodeNanos() / 1e6),
                stats.sinceLastFrameNanos() < 0 ? -1 : round(stats.sinceLastFrameNanos() / 1e9), stats.failures(),
                stats.hangs(), stats.internalErrors(), feed.passesThrough(), feed.idle(), stats.incompleteFrames(),
                feed.controls().isEmpty() ? null : feed.controls());
    }

    public static StateView.Ring ring(WatchedFeed feed) {
        FrameRing ring = feed.ring();
        return new StateView.Ring(ring.capacity(), ring.occupancy(), ring.bytes(), ring.published());
    }

    public static StateView.Memory memory(WatchedFeed feed) {
        FrameBudget budget = feed.ring().budget();
        return new StateView.Memory(budget.limit(), budget.used(), budget.framesDropped(),
                feed.broadcaster().clientsOverBudget());
    }

    public static List<StateView.Client> clients(WatchedFeed feed) {
        List<StateView.Client> clients = new ArrayList<>();
        for (SessionStats s : feed.broadcaster().sessions()) {
            clients.add(new StateView.Client(s.remote(), s.path(), s.protocol(),
                    Instant.ofEpochMilli(s.connectedMillis()).toString(), s.framesSent(), s.framesSkipped(),
                    s.bytesSent(), s.pendingBytes(), round(s.fps()), s.requestedFps(), s.framesDecimated()));
        }
        return clients;
    }

    /** Three decimals: enough for a person or a script, and stable JSON. */
    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
