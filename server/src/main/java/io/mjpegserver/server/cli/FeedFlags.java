package io.mjpegserver.server.cli;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.capture.relay.TrustedCertificates;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.server.config.DeriveConfig;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.MirrorConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The flags that make the command line's one feed, {@link FeedConfig#DEFAULT_NAME}: its source and how it is
 * captured. Each but an edge's is also a key of a feed in the config file ({@link ConfigFile#FEED_KEYS}), and refused
 * beside {@code --config}; their defaults are {@link Defaults}'.
 */
final class FeedFlags {

    /** At most one source (the camera is the default); none with --config. */
    static final class Source {
        @Option(names = "--device", paramLabel = "N|PATH", converter = Converters.Device.class,
                description = "Camera /dev/videoN (V4L2), or its device path: /dev/v4l/by-id/... names the same camera"
                        + " however it is plugged. Default: 0.")
        SourceSpec.Camera device;

        @Option(names = "--file", paramLabel = "PATH", converter = Converters.VideoFile.class, description = "Video file to stream, looped forever.")
        Path file;

        @Option(names = "--test-pattern", description = "Built-in moving test pattern; needs no camera.")
        boolean testPattern;

        @Option(names = "--url", paramLabel = "URL", converter = Converters.Url.class,
                description = "Relay an http:// or https:// MJPEG stream or JPEG snapshot, or an rtsp:// stream;"
                        + " user:password@ in the URL for a camera that asks.")
        SourceSpec.Url url;

        @Option(names = "--mirror", paramLabel = "URL", converter = Converters.Mirror.class,
                description = "Be an edge of another mjpeg-server: serve every feed it has (read from its /state) under"
                        + " the same names, each pulled from it once and only while watched; user:password@ in the URL"
                        + " for one that asks.")
        URI mirror;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--mirror-max-feeds", paramLabel = "N", converter = Converters.MirrorMaxFeeds.class,
            description = "With --mirror: the most feeds mirrored; an origin that lists more has its first N mirrored."
                    + " Default: ${DEFAULT-VALUE}.")
    int mirrorMaxFeeds;

    @Option(names = "--control", paramLabel = "NAME=VALUE", converter = Converters.Control.class,
            description = "A camera control set at each open, as --list-devices names it: brightness=140,"
                    + " power_line_frequency=50hz (a menu item by its name or number); repeatable. A feed's key is"
                    + " controls: { brightness: 140 }.")
    List<Map.Entry<String, String>> controls;

    @Option(names = "--fps", paramLabel = "FPS", converter = Converters.Fps.class,
            description = "Frames per second. Default: " + (int) CaptureConfig.DEFAULT_FPS + " (a file or URL: its own rate).")
    Double fps;

    @Option(names = "--size", paramLabel = "WxH", converter = Converters.Size.class,
            description = "Frame size. Default: 1280x720 (a file or URL: its own size).")
    VideoSize size;

    @Option(names = "--quality", paramLabel = "Q", converter = Converters.Quality.class,
            description = "JPEG quality, 1-100. Default: ${DEFAULT-VALUE}.")
    int quality;

    @Option(names = "--ring-size", paramLabel = "N", converter = Converters.RingSize.class,
            description = "Newest frames kept in memory, 2-64. Default: ${DEFAULT-VALUE}.")
    int ringSize;

    @Option(names = "--ring-seconds", paramLabel = "SECONDS", converter = Converters.RingSeconds.class,
            description = "Also keep every frame of the last SECONDS (0-60; up to 120 fps) for /snapshot?at= and ?seq=."
                    + " Default: ${DEFAULT-VALUE}.")
    double ringSeconds;

    @Option(names = "--on-demand", description = "Open the source at the first client and close it --idle-grace after the last.")
    boolean onDemand;

    @Option(names = "--idle-grace", paramLabel = "SECONDS", converter = Converters.IdleGrace.class,
            description = "With --on-demand: how long the source stays open with no client. Default: ${DEFAULT-VALUE}.")
    Duration idleGrace;

    @Option(names = "--drop-same-frames", description = "Do not send a frame byte-identical to the one before (clients still"
            + " get the newest frame again each second).")
    boolean dropSameFrames;

    @Option(names = "--hide-no-signal", description = "While the source is down, send nothing rather than a NO SIGNAL"
            + " frame each second (for NVRs that record NO SIGNAL frames as motion).")
    boolean hideNoSignal;

    @Option(names = "--relay-ca", paramLabel = "FILE", converter = Converters.RelayCa.class,
            description = "With an https:// --url: trust the camera's own certificate (self-signed), or the CA that"
                    + " signed it, in this PEM file.")
    Path relayCa;

    @Option(names = "--relay-insecure", description = "With an https:// --url: accept any certificate, unchecked"
            + " (--relay-ca is safer).")
    boolean relayInsecure;

    @Option(names = "--relay-max-part", paramLabel = "SIZE", converter = Converters.RelayPartSize.class,
            description = "With an http(s) --url: the largest JPEG taken from the upstream, 1KiB to 256MiB."
                    + " Default: ${DEFAULT-VALUE}.")
    int relayMaxPart;

    @Option(names = "--relay-connect-timeout", paramLabel = "SECONDS",
            converter = Converters.RelayTimeout.class, description = "With an http(s) --url: how long the upstream may"
                    + " take to accept the connection (and TLS handshake). Default: ${DEFAULT-VALUE}.")
    Duration relayConnectTimeout;

    @Option(names = "--relay-read-timeout", paramLabel = "SECONDS",
            converter = Converters.RelayTimeout.class, description = "With an http(s) --url: how long the upstream may"
                    + " send nothing before the relay reconnects. Default: ${DEFAULT-VALUE}.")
    Duration relayReadTimeout;

    @Option(names = "--workers", paramLabel = "N", converter = Converters.Workers.class,
            description = "Threads that encode the test pattern's frames, in capture order; 1 encodes on the capture"
                    + " thread. Default: ${DEFAULT-VALUE} (one per core from 1920x1080 up, else 1).")
    int workers;

    @Option(names = "--memory", paramLabel = "SIZE", converter = Converters.Memory.class,
            description = "The feed's memory budget for the frames it keeps and its clients hold in flight, such as 64m"
                    + " or 512MiB; past it the oldest frames go first, then the clients holding the oldest. Default:"
                    + " ${DEFAULT-VALUE} (an equal share of the JVM's direct memory, less a reserve).")
    long memory;

    @Option(names = "--rotate", paramLabel = "DEGREES", converter = Converters.Rotate.class,
            description = "Turn every frame clockwise by 90, 180 or 270 degrees (a camera mounted sideways or upside"
                    + " down): decoded, turned and encoded once per frame for every client.")
    Transform.Rotation rotate;

    @Option(names = "--flip", paramLabel = "horizontal|vertical", converter = Converters.Flip.class,
            description = "Mirror every frame: horizontal (left-right) or vertical (upside down), after --rotate.")
    Transform.Flip flip;

    @Option(names = "--crop", paramLabel = "WxH+X+Y", converter = Converters.Crop.class,
            description = "Keep only this part of every frame, in the source's pixels, before --rotate: 640x360+320+180.")
    Transform.Crop crop;

    @Option(names = "--text", paramLabel = "FORMAT", converter = Converters.Text.class,
            description = "Text drawn on every frame, strftime style: '%%$ %%Y-%%m-%%d %%H:%%M:%%S' (%%$ is the feed's name).")
    String text;

    @Option(names = "--text-position", paramLabel = "top-left|top-right", converter = Converters.TextPosition.class,
            description = "Where --text goes. Default: ${DEFAULT-VALUE}.")
    Transform.Overlay.Position textPosition;

    @Option(names = "--max-variants", paramLabel = "N", converter = Converters.MaxVariants.class,
            description = "The most variants (other sizes or qualities, ?width= ?height= ?quality=) the feed makes at"
                    + " once; past it a request for another gets 503. 0 for none. Default: ${DEFAULT-VALUE}.")
    int maxVariants;

    /** The {@code --control}s, by name in the order given: a name given twice keeps its last value. */
    private Map<String, String> controls() {
        Map<String, String> byName = new LinkedHashMap<>();
        controls.forEach(c -> byName.put(c.getKey(), c.getValue()));
        return byName;
    }

    /** The origin {@code --mirror} names, with how its feeds are captured; null without {@code --mirror}. */
    MirrorConfig mirror() {
        if (source == null || source.mirror == null) {
            return null;
        }
        return new MirrorConfig(source.mirror, capture(new SourceSpec.Url(source.mirror), size, fps, quality, ringSize),
                options(true), mirrorMaxFeeds);
    }

    /** How the capture behaves, by these flags; {@code onDemand} for an edge's feeds, which always are. */
    private CaptureOptions options(boolean onDemand) {
        return new CaptureOptions(onDemand, idleGrace, dropSameFrames, ringSeconds, workers, !hideNoSignal, memory);
    }

    /** The feed these flags make. */
    FeedConfig feed() throws ConfigException {
        CaptureConfig capture = capture();
        if (controls != null && !(capture.source() instanceof SourceSpec.Camera)) {
            throw new ConfigException("--control: for a camera, not " + capture.source().describe()
                    + " (expected: --device N|PATH, or no --control)");
        }
        String given = relayFlag(relayCa, relayInsecure, relayMaxPart, relayConnectTimeout, relayReadTimeout);
        if (given != null && !isHttp(capture.source())) {
            throw new ConfigException("--" + given + ": for an http:// or https:// --url" + (source != null
                    && source.mirror != null ? ", not --mirror's feeds" : "") + " (expected: --url http(s)://..., or no --"
                    + given + ")");
        }
        if (relayCa != null && relayInsecure) {
            throw new ConfigException("--relay-ca and --relay-insecure both given (expected: one of them)");
        }
        RelayOptions relay;
        try {
            relay = relay(relayCa, relayInsecure, relayMaxPart, relayConnectTimeout, relayReadTimeout);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--relay-ca " + e.getMessage());
        }
        return new FeedConfig(FeedConfig.DEFAULT_NAME, capture, options(onDemand), relay,
                derive(crop, rotate, flip, text, textPosition, maxVariants, capture.quality()));
    }

    /**
     * What a feed derives, from the flags or keys of the same names: its transform ({@code null} when none is asked),
     * encoded at the feed's {@code quality}, and its {@code max-variants}. Shared by the config file.
     */
    static DeriveConfig derive(Transform.Crop crop, Transform.Rotation rotate, Transform.Flip flip, String text,
            Transform.Overlay.Position textPosition, int maxVariants, int quality) {
        boolean none = crop == null && (rotate == null || rotate == Transform.Rotation.NONE)
                && (flip == null || flip == Transform.Flip.NONE) && text == null;
        Transform transform = none ? null : new Transform(crop, rotate, flip, null,
                text == null ? null : new Transform.Overlay(text, textPosition), quality);
        return new DeriveConfig(transform, maxVariants);
    }

    /**
     * How an http(s) upstream is relayed, from the flags or keys of the same names; shared by the config file.
     *
     * @throws IllegalArgumentException for a certificate file that cannot be used, or both trust settings
     */
    static RelayOptions relay(Path ca, boolean insecure, int maxPart, Duration connectTimeout, Duration readTimeout) {
        RelayOptions relay = RelayOptions.DEFAULTS.withMaxPartBytes(maxPart).withTimeouts(connectTimeout, readTimeout)
                .withTrustAnyCertificate(insecure);
        return ca == null ? relay : relay.withTrustedCertificates(TrustedCertificates.read(ca));
    }

    /** The first relay setting that differs from its default, or null. */
    static String relayFlag(Path ca, boolean insecure, int maxPart, Duration connectTimeout, Duration readTimeout) {
        RelayOptions defaults = RelayOptions.DEFAULTS;
        return ca != null ? "relay-ca" : insecure ? "relay-insecure" : maxPart != defaults.maxPartBytes() ? "relay-max-part"
                : !connectTimeout.equals(defaults.connectTimeout()) ? "relay-connect-timeout"
                : !readTimeout.equals(defaults.readTimeout()) ? "relay-read-timeout" : null;
    }

    static boolean isHttp(SourceSpec source) {
        return source instanceof SourceSpec.Url url && !url.rtsp();
    }

    /** The capture the flags ask for. */
    CaptureConfig capture() {
        SourceSpec spec;
        if (source != null && source.testPattern) {
            spec = new SourceSpec.TestPattern();
        } else if (source != null && source.file != null) {
            spec = new SourceSpec.VideoFile(source.file);
        } else if (source != null && source.url != null) {
            spec = source.url;
        } else {
            SourceSpec.Camera camera = source != null && source.device != null ? source.device : new SourceSpec.Camera(0);
            spec = controls == null ? camera : camera.withControls(controls());
        }
        return capture(spec, size, fps, quality, ringSize);
    }

    /**
     * A capture with the defaults that depend on the source: a file and a URL keep their own size and rate
     * when none is given; a camera and the test pattern are made at {@link CaptureConfig#DEFAULT_SIZE} and
     * {@link CaptureConfig#DEFAULT_FPS}. Shared by the flags and the config file.
     */
    static CaptureConfig capture(SourceSpec spec, VideoSize size, Double fps, int quality, int ringSize) {
        boolean ownSizeAndRate = spec instanceof SourceSpec.VideoFile || spec instanceof SourceSpec.Url;
        VideoSize chosenSize = size != null ? size : (ownSizeAndRate ? null : CaptureConfig.DEFAULT_SIZE);
        double chosenFps = fps != null ? fps : (ownSizeAndRate ? 0 : CaptureConfig.DEFAULT_FPS);
        return new CaptureConfig(spec, chosenSize, chosenFps, quality, ringSize);
    }
}
