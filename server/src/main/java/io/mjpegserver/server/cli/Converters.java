package io.mjpegserver.server.cli;

import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.server.config.DeriveConfig;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.DisplayUrl;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.net.MachineAddresses;
import io.mjpegserver.server.stream.MultipartFormat;
import io.mjpegserver.server.config.MirrorConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Typed flag values; each rejection says what was given and what is expected. */
final class Converters {

    private Converters() {
    }

    /** The one-line rejection: what was given, and what is expected. */
    private static TypeConversionException refused(String value, String expected) {
        return new TypeConversionException("'" + value + "' (expected: " + expected + ")");
    }

    private static int range(String value, long min, long max, String expected) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return (int) n;
            }
        } catch (NumberFormatException ignored) {
            // Reported below with the expectation.
        }
        throw refused(value, expected);
    }

    private static double decimal(String value, double min, double max, String expected) {
        try {
            double n = Double.parseDouble(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // Reported below with the expectation.
        }
        throw refused(value, expected);
    }

    /** A whole number of seconds, or a decimal one, from {@code min} to {@code max}, kept to the millisecond. */
    private static Duration seconds(String value, double min, double max, String expected) {
        return Duration.ofMillis(Math.round(decimal(value, min, max, expected) * 1000));
    }

    /** A path that must not be empty; whether the file is there and readable is checked when the server starts. */
    private static Path path(String value, String expected) {
        try {
            if (!value.isBlank()) {
                return Path.of(value);
            }
        } catch (InvalidPathException e) {
            // Reported below with the expectation.
        }
        throw refused(value, expected);
    }

    /** A parse whose IllegalArgumentException already says what was given and what is expected. */
    private static <T> T inItsWords(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** A converter by one of the parsers above: picocli makes each subclass by its constructor, one per option. */
    abstract static class Parser<T> implements ITypeConverter<T> {
        private final Function<String, T> parse;

        Parser(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            return parse.apply(value);
        }
    }

    /** A feed's rotation: 0, 90, 180 or 270 degrees clockwise. */
    static final class Rotate extends Parser<Transform.Rotation> {
        Rotate() {
            super(v -> derived(v, "0, 90, 180 or 270 (degrees clockwise)",
                    () -> Transform.Rotation.ofDegrees(Integer.parseInt(v.trim()))));
        }
    }

    /** A feed's mirror image: horizontal (left-right) or vertical (upside down). */
    static final class Flip extends Parser<Transform.Flip> {
        Flip() {
            super(v -> derived(v, "horizontal or vertical", () -> Transform.Flip.parse(v)));
        }
    }

    /** The part of a feed's frames kept: {@code WxH+X+Y}, even sides from 16. */
    static final class Crop extends Parser<Transform.Crop> {
        Crop() {
            super(v -> derived(v, "WxH+X+Y, the part kept, such as 640x360+320+180, with an even width and height from"
                    + " 16", () -> Transform.Crop.parse(v)));
        }
    }

    /** The text drawn on a feed's frames: not empty. */
    static final class Text extends Parser<String> {
        Text() {
            super(v -> derived(v, "a format such as '%$ %Y-%m-%d %H:%M:%S' (%$ is the feed's name)",
                    () -> new Transform.Overlay(v, null).format()));
        }
    }

    static final class TextPosition extends Parser<Transform.Overlay.Position> {
        TextPosition() {
            super(v -> derived(v, "top-left or top-right", () -> Transform.Overlay.Position.parse(v)));
        }
    }

    /** The most variants a feed has at once: 0 (none) to {@link DeriveConfig#MOST_VARIANTS}. */
    static final class MaxVariants extends Parser<Integer> {
        MaxVariants() {
            super(v -> range(v, 0, DeriveConfig.MOST_VARIANTS, "0 for none, or up to " + DeriveConfig.MOST_VARIANTS
                    + " variants"));
        }
    }

    /** A parse of the derive package's, rejected in our words. */
    private static <T> T derived(String value, String expected, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw refused(value, expected);
        }
    }

    static final class Port extends Parser<Integer> { Port() { super(v -> range(v, 0, 65535, "a port from 0 to 65535")); } }

    /** A camera: its index N for {@code /dev/videoN}, or its device path (a stable {@code /dev/v4l/by-id/...} name). */
    static final class Device extends Parser<SourceSpec.Camera> {
        private static final String EXPECTED = "a camera index from 0 to 255, as in /dev/video0, or a device path"
                + " such as /dev/v4l/by-id/usb-...-video-index0";

        Device() {
            super(v -> v.trim().startsWith("/") ? new SourceSpec.Camera(path(v.trim(), EXPECTED))
                    : new SourceSpec.Camera(range(v, 0, 255, EXPECTED)));
        }
    }

    /** A camera control and its value, {@code brightness=140}: the name as {@code --list-devices} prints it. */
    static final class Control extends Parser<Map.Entry<String, String>> {
        private static final Pattern CONTROL = Pattern.compile("([a-z0-9_]+)=(\\S+)");

        Control() {
            super(v -> {
                Matcher m = CONTROL.matcher(v.trim());
                if (!m.matches()) {
                    throw refused(v, "NAME=VALUE, a control as --list-devices names it, such as brightness=140");
                }
                return Map.entry(m.group(1), m.group(2));
            });
        }
    }

    static final class Quality extends Parser<Integer> { Quality() { super(v -> range(v, 1, 100, "a JPEG quality from 1 to 100")); } }

    /** Encoder threads per feed: {@code auto} ({@link CaptureOptions#AUTO_WORKERS}) or 1 to the most. */
    static final class Workers extends Parser<Integer> {
        Workers() {
            super(v -> v.trim().equalsIgnoreCase("auto") ? CaptureOptions.AUTO_WORKERS
                    : range(v, 1, CaptureOptions.MAX_WORKERS, "auto, or 1 to " + CaptureOptions.MAX_WORKERS + " threads"));
        }
    }

    static final class RingSize extends Parser<Integer> { RingSize() { super(v -> range(v, 2, 64, "2 to 64 frames")); } }

    /** The most feeds an edge mirrors: 1 to 100 000. */
    static final class MirrorMaxFeeds extends Parser<Integer> { MirrorMaxFeeds() { super(v -> range(v, 1, 100_000, "1 to 100000 feeds")); } }

    /** Seconds of frames the ring keeps beyond its count: 0 to 60. */
    static final class RingSeconds extends Parser<Double> { RingSeconds() { super(v -> decimal(v, 0, 60, "seconds from 0 to 60")); } }

    /**
     * A feed's memory budget: {@code auto} ({@link CaptureOptions#AUTO_MEMORY}), or bytes with an optional binary
     * unit (k, m, g, KiB, MiB, GiB; KB, MB, GB count the same), at least {@link CaptureOptions#MIN_MEMORY}.
     */
    static final class Memory implements ITypeConverter<Long> {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,13})\\s*(|[kmg]|[kmg]i?b)", Pattern.CASE_INSENSITIVE);
        private static final String EXPECTED = "auto, or a size such as 64m or 512MiB, at least 4 MiB";

        @Override
        public Long convert(String value) {
            String text = value.trim();
            if (text.equalsIgnoreCase("auto")) {
                return CaptureOptions.AUTO_MEMORY;
            }
            Matcher m = SIZE.matcher(text);
            if (!m.matches()) {
                throw refused(value, EXPECTED);
            }
            String unit = m.group(2).toLowerCase(Locale.ROOT);
            int shift = unit.isEmpty() ? 0 : switch (unit.charAt(0)) {
                case 'k' -> 10;
                case 'm' -> 20;
                default -> 30;
            };
            long bytes = Long.parseLong(m.group(1));
            if (bytes > (Long.MAX_VALUE >> 30) || (bytes << shift) < CaptureOptions.MIN_MEMORY) {
                throw refused(value, EXPECTED);
            }
            return bytes << shift;
        }
    }

    static final class SendBuffer implements ITypeConverter<Integer> {
        private static final String EXPECTED = "0 for the kernel's autotuning, or 4 to 65536 KiB";

        @Override
        public Integer convert(String value) {
            int kib = range(value, 0, 65536, EXPECTED);
            if (kib != 0 && kib < 4) {
                throw refused(value, EXPECTED);
            }
            return kib;
        }
    }

    static final class Limit extends Parser<Integer> { Limit() { super(v -> range(v, 0, 1_000_000, "0 for no limit, or a number of clients up to 1000000")); } }

    static final class ConnectionRate extends Parser<Integer> { ConnectionRate() { super(v -> range(v, 0, 1_000_000, "0 for no limit, or new connections per second up to 1000000")); } }

    /** Never echoes the value: it holds a password. */
    static final class Credentials extends Parser<io.mjpegserver.server.config.Credentials> {
        Credentials() {
            super(v -> inItsWords(() -> io.mjpegserver.server.config.Credentials.parse(v)));
        }
    }

    /**
     * An IP address of this machine (or a name resolving to one), checked here so that a typo is a bad value
     * (exit 2) rather than a bind failure; the text is kept as given.
     */
    static final class Host implements ITypeConverter<String> {
        private static final String EXPECTED = "0.0.0.0 for all, :: for all over IPv6 too";

        @Override
        public String convert(String value) {
            String text = value.strip();
            // A literal is parsed without a lookup; only a name (localhost, cam.local) asks the resolver.
            boolean literal = text.isEmpty() || text.matches("[0-9.]+") || text.indexOf(':') >= 0;
            InetAddress address;
            try {
                if (text.isEmpty() || text.matches("[0-9.]+") && !isIpv4(text)) {
                    throw new UnknownHostException(text);
                }
                address = InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new TypeConversionException("'" + value + "' " + (literal ? "is not a valid IP address" : "does not resolve to an address")
                        + " (expected: an address of this machine, such as " + EXPECTED + ", or 127.0.0.1)");
            }
            if (!MachineAddresses.isOfThisMachine(address)) {
                throw new TypeConversionException("'" + value + "' is not an address of this machine (expected: " + EXPECTED
                        + ", or one of: " + MachineAddresses.ofThisMachine().stream().map(MachineAddresses::text).collect(Collectors.joining(", ")) + ")");
            }
            return text;
        }

        private static boolean isIpv4(String text) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String part : parts) {
                if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class VideoFile extends Parser<Path> { VideoFile() { super(v -> path(v, "the path of a video file")); } }

    static final class AuthFile extends Parser<Path> { AuthFile() { super(v -> path(v, "the path of a file holding USER:PASSWORD")); } }

    static final class Certificate extends Parser<Path> { Certificate() { super(v -> path(v, "the path of a PEM certificate chain")); } }

    static final class PrivateKey extends Parser<Path> { PrivateKey() { super(v -> path(v, "the path of a PEM private key")); } }

    static final class RelayCa extends Parser<Path> { RelayCa() { super(v -> path(v, "the path of a PEM file holding the camera's certificate or its CA's")); } }

    /** The most bytes a relayed part may have: a number of bytes, or with KiB or MiB (K, M), 1 KiB to 256 MiB. */
    static final class RelayPartSize implements ITypeConverter<Integer> {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(|b|k|kb|kib|m|mb|mib)", Pattern.CASE_INSENSITIVE);

        @Override
        public Integer convert(String value) {
            Matcher m = SIZE.matcher(value.strip());
            if (m.matches()) {
                String unit = m.group(2).toLowerCase(Locale.ROOT);
                long bytes = Long.parseLong(m.group(1)) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1);
                if (bytes >= 1024 && bytes <= 256L * 1024 * 1024) {
                    return (int) bytes;
                }
            }
            throw refused(value, "a size from 1KiB to 256MiB, such as 8MiB or 512KiB");
        }
    }

    /** How long a relay waits for its upstream to connect, or to send anything: 0.1 to 600 seconds. */
    static final class RelayTimeout extends Parser<Duration> { RelayTimeout() { super(v -> seconds(v, 0.1, 600, "seconds from 0.1 to 600")); } }

    static final class ConfigFile extends Parser<Path> { ConfigFile() { super(v -> path(v, "the path of a YAML config file")); } }

    static final class UnixSocket extends Parser<Path> { UnixSocket() { super(v -> path(v, "the path of the unix socket file to make, such as /run/mjpeg-server/http.sock")); } }

    /** A file's permissions (one value: picocli would take a Set-typed option as repeatable). */
    record FileMode(Set<PosixFilePermission> permissions) {
        FileMode {
            permissions = Set.copyOf(permissions);
        }
    }

    /** Octal permissions, as chmod takes them: {@code 660}, {@code 0666}; the socket file's (no setuid, sticky). */
    static final class UnixMode implements ITypeConverter<FileMode> {
        @Override
        public FileMode convert(String value) {
            if (!value.matches("0?[0-7]{3}")) {
                throw refused(value, "octal permissions such as 660 or 0666");
            }
            int bits = Integer.parseInt(value, 8);
            Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_READ};
            for (int bit = 0; bit < order.length; bit++) {
                if ((bits & (1 << bit)) != 0) {
                    mode.add(order[bit]);
                }
            }
            return new FileMode(mode);
        }
    }

    /**
     * An {@code http://}, {@code https://} or {@code rtsp://} URL, in {@link SourceSpec.Url}'s words. A rejection
     * shows the URL as {@link DisplayUrl} does, even one the URL parser cannot make sense of.
     */
    static final class Url implements ITypeConverter<SourceSpec.Url> {

        @Override
        public SourceSpec.Url convert(String value) {
            String text = value.strip();
            try {
                return new SourceSpec.Url(new URI(text));
            } catch (URISyntaxException e) {
                String expected = expectation();
                throw new TypeConversionException("'" + DisplayUrl.of(text) + "' is not a valid URL" + expected.substring(0, expected.length() - 1)
                        + "; percent-encode spaces and other special characters, in a password too)");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + DisplayUrl.of(text) + "'" + expectation());
            }
        }

        /** What {@link SourceSpec.Url} expects, in its own words: {@code " (expected: ...)"}. */
        private static String expectation() {
            try {
                new SourceSpec.Url(null);
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                int at = message.indexOf(" (expected:");
                if (at >= 0) {
                    return message.substring(at);
                }
            }
            return " (expected: an http://, https:// or rtsp:// URL)";
        }
    }

    static final class Mirror extends Parser<URI> { Mirror() { super(v -> inItsWords(() -> MirrorConfig.parse(v))); } }

    static final class Origin implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw refused(value, "an origin such as https://nvr.example, or *");
            }
            return value.strip();
        }
    }

    static final class LogLevel implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String level = value.trim().toLowerCase(Locale.ROOT);
            if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
                throw refused(value, "error, warn, info, debug or trace");
            }
            return level;
        }
    }

    static final class Fps extends Parser<Double> {
        Fps() {
            super(v -> decimal(v, 0.1, CaptureConfig.MAX_FPS, "frames per second from 0.1 to " + (int) CaptureConfig.MAX_FPS));
        }
    }

    static final class Size implements ITypeConverter<VideoSize> {
        @Override
        public VideoSize convert(String value) {
            try {
                return VideoSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().startsWith("'") ? e.getMessage()
                        : "'" + value + "': " + e.getMessage());
            }
        }
    }

    static final class Boundary implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return MultipartFormat.checkBoundary(value);
            } catch (IllegalArgumentException e) {
                throw refused(value, "16 to 60 letters or digits");
            }
        }
    }

    /** How long an on-demand source stays open with no client: 0 closes it at once. */
    static final class IdleGrace extends Parser<Duration> { IdleGrace() { super(v -> seconds(v, 0, 86_400, "seconds from 0 to 86400")); } }

    static final class Seconds extends Parser<Duration> { Seconds() { super(v -> seconds(v, 0.1, 86_400, "seconds from 0.1 to 86400")); } }
}
