package io.mjpegserver.server.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.net.MachineAddresses;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.MirrorConfig;
import io.mjpegserver.server.testing.Http;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class ServeCommandTest {

    /** Exit code, standard output and standard error of one run. */
    record Run(int exit, String out, String err) {
        String errLine() {
            assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err);
            return err.strip();
        }
    }

    static Run run(ServeCommand command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ServeCommand.commandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return run(new ServeCommand(Map.of()), args);
    }

    /** A flag's case: {@code good} (its arguments, flag included) and where the value lands; {@code bad} and the one line it earns. */
    record Flag(List<String> good, Function<ServeCommand, Object> applied, Object expected, List<String> bad, String badLine) {
    }

    private static final Path AUTH_FILE = tempFile("auth", ".txt", "viewer:from file\n");
    /** A camera's self-signed certificate (made with openssl, valid for a century), for --relay-ca. */
    private static final Path CAMERA_PEM = tempFile("camera", ".pem", "-----BEGIN CERTIFICATE-----" + "\n"
            + "MIIBeDCCAR+gAwIBAgIUD/y0YYEuOeza1l6Gnxh4jFNhKSgwCgYIKoZIzj0EAwIw" + "\n"
            + "ETEPMA0GA1UEAwwGY2FtZXJhMCAXDTI2MTIwNjIxNDExNVoYDzIxMjYxMTEyMjE0" + "\n"
            + "MTE1WjARMQ8wDQYDVQQDDAZjYW1lcmEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC" + "\n"
            + "AATG7KHZxz0jj1ZULnjz0u+FmE4p+XOeHpLzyayEI4Y2PJnI0bdCzgIx4kqHK/Eu" + "\n"
            + "Yw1Q0HSUx2XIc1Or7pa/0W07o1MwUTAdBgNVHQ4EFgQULV0lW5EombI42QVwNnUd" + "\n"
            + "Mz/SEVIwHwYDVR0jBBgwFoAULV0lW5EombI42QVwNnUdMz/SEVIwDwYDVR0TAQH/" + "\n"
            + "BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBcxAyTeJSO9nIQ3hp/TIYTY2VvpTod" + "\n"
            + "Y/s7gYWnUyH5DQIgGTX1ND1yl9tYOP9eg913XzJPukIkw7dfXETDtszjXcE=" + "\n"
            + "-----END CERTIFICATE-----" + "\n");
    private static final Path CONFIG_FILE = tempFile("feeds", ".yaml", "feeds:\n  yard: { test-pattern: true }\n  door: { device: 1 }\n");

    private static Path tempFile(String prefix, String suffix, String text) {
        try {
            Path file = Files.createTempFile(prefix, suffix);
            file.toFile().deleteOnExit();
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String invalid(String flag, String rest) {
        return "mjpeg-server: Invalid value for option '" + flag + "': " + rest + " (see --help)";
    }

    /**
     * Every flag but {@code --help} and {@code --version} (their own tests below). {@link #everyFlagHasACase()}
     * compares the keys with picocli's model, so a new flag without a case here fails.
     */
    static final Map<String, Flag> FLAGS = flags();

    private static Map<String, Flag> flags() {
        Map<String, Flag> f = new LinkedHashMap<>();
        f.put("--device", new Flag(List.of("--device", "2"), c -> c.feed.capture().source(), new SourceSpec.Camera(2),
                List.of("--device", "-1"), invalid("--device", "'-1' (expected: a camera index from 0 to 255, as in /dev/video0, or a device path such as /dev/v4l/by-id/usb-...-video-index0)")));
        f.put("--control", new Flag(List.of("--control", "brightness=140", "--control", "power_line_frequency=50hz"),
                c -> c.feed.capture().source(), new SourceSpec.Camera(0).withControls(Map.of("brightness", "140",
                        "power_line_frequency", "50hz")),
                List.of("--control", "brightness"), "mjpeg-server: Invalid value for option '--control' (NAME=VALUE): 'brightness' (expected: NAME=VALUE, a control as"
                        + " --list-devices names it, such as brightness=140) (see --help)"));
        f.put("--file", new Flag(List.of("--file", "clip.mp4"), c -> c.feed.capture().source(), new SourceSpec.VideoFile(Path.of("clip.mp4")),
                List.of("--file", ""), invalid("--file", "'' (expected: the path of a video file)")));
        f.put("--test-pattern", new Flag(List.of("--test-pattern"), c -> c.feed.capture().source(), new SourceSpec.TestPattern(),
                List.of("--test-pattern", "--test-pattern"), "mjpeg-server: option '--test-pattern' should be specified only once (see --help)"));
        f.put("--url", new Flag(List.of("--url", "http://viewer:pw@192.168.1.10/video.mjpg"), c -> c.feed.capture().source(),
                new SourceSpec.Url(URI.create("http://viewer:pw@192.168.1.10/video.mjpg")),
                List.of("--url", "ftp://cam/x"), invalid("--url", "'ftp://cam/x' (expected: http://, https:// or rtsp:// followed by a host, such as http://192.168.1.10/video.mjpg)")));
        f.put("--mirror", new Flag(List.of("--mirror", "http://edge:pw@origin:8080"), c -> c.feed.mirror().origin(),
                URI.create("http://edge:pw@origin:8080/"),
                List.of("--mirror", "ftp://origin/"), invalid("--mirror", "'ftp://origin/' (expected: the http:// or https:// address of another mjpeg-server, such as http://origin:8080/)")));
        f.put("--mirror-max-feeds", new Flag(List.of("--mirror", "http://origin:8080", "--mirror-max-feeds", "50"),
                c -> c.feed.mirror().maxFeeds(), 50,
                List.of("--mirror", "http://origin:8080", "--mirror-max-feeds", "0"),
                invalid("--mirror-max-feeds", "'0' (expected: 1 to 100000 feeds)")));
        f.put("--config", new Flag(List.of("--config", CONFIG_FILE.toString()), c -> feeds(c).stream().map(FeedConfig::name).toList(), List.of("yard", "door"),
                List.of("--config", ""), invalid("--config", "'' (expected: the path of a YAML config file)")));
        f.put("--host", new Flag(List.of("--host", "127.0.0.1"), c -> server(c).listening().host(), "127.0.0.1",
                List.of("--host", "999.1.1.1"), invalid("--host", "'999.1.1.1' is not a valid IP address (expected: an address of this machine, such as 0.0.0.0 for all, :: for all over IPv6 too, or 127.0.0.1)")));
        f.put("--port", new Flag(List.of("--port", "9000"), c -> server(c).listening().port(), 9000,
                List.of("--port", "70000"), invalid("--port", "'70000' (expected: a port from 0 to 65535)")));
        f.put("--unix", new Flag(List.of("--unix", "mjpeg.sock"), c -> ((ListenSocket.Unix) listen(c)).path(), Path.of("mjpeg.sock"),
                List.of("--unix", ""), invalid("--unix", "'' (expected: the path of the unix socket file to make, such as /run/mjpeg-server/http.sock)")));
        f.put("--unix-mode", new Flag(List.of("--unix", "mjpeg.sock", "--unix-mode", "0660"), c -> ((ListenSocket.Unix) listen(c)).mode(),
                PosixFilePermissions.fromString("rw-rw----"),
                List.of("--unix", "mjpeg.sock", "--unix-mode", "888"), invalid("--unix-mode", "'888' (expected: octal permissions such as 660 or 0666)")));
        f.put("--fps", new Flag(List.of("--fps", "12.5"), c -> c.feed.capture().fps(), 12.5,
                List.of("--fps", "0"), invalid("--fps", "'0' (expected: frames per second from 0.1 to 240)")));
        f.put("--size", new Flag(List.of("--size", "640x480"), c -> c.feed.capture().size(), new VideoSize(640, 480),
                List.of("--size", "1281x720"), invalid("--size", "'1281x720': width: 1281 (expected: an even number from 16 to 8192)")));
        f.put("--quality", new Flag(List.of("--quality", "55"), c -> c.feed.capture().quality(), 55,
                List.of("--quality", "101"), invalid("--quality", "'101' (expected: a JPEG quality from 1 to 100)")));
        f.put("--boundary", new Flag(List.of("--boundary", "abcdefghijklmnop1234"), c -> server(c).streaming().boundary(), "abcdefghijklmnop1234",
                List.of("--boundary", "short"), invalid("--boundary", "'short' (expected: 16 to 60 letters or digits)")));
        f.put("--client-timeout", new Flag(List.of("--client-timeout", "2.5"), c -> server(c).limits().clientTimeout(), Duration.ofMillis(2500),
                List.of("--client-timeout", "0"), invalid("--client-timeout", "'0' (expected: seconds from 0.1 to 86400)")));
        f.put("--send-buffer", new Flag(List.of("--send-buffer", "64"), c -> server(c).listening().sendBuffer(), 64 * 1024,
                List.of("--send-buffer", "2"), invalid("--send-buffer", "'2' (expected: 0 for the kernel's autotuning, or 4 to 65536 KiB)")));
        f.put("--max-clients", new Flag(List.of("--max-clients", "7"), c -> server(c).limits().maxClients(), 7,
                List.of("--max-clients", "-1"), invalid("--max-clients", "'-1' (expected: 0 for no limit, or a number of clients up to 1000000)")));
        f.put("--max-connection-rate", new Flag(List.of("--max-connection-rate", "7"), c -> server(c).limits().maxConnectionRate(), 7,
                List.of("--max-connection-rate", "-1"), invalid("--max-connection-rate", "'-1' (expected: 0 for no limit, or new connections per second up to 1000000)")));
        f.put("--max-clients-per-address", new Flag(List.of("--max-clients-per-address", "3"), c -> server(c).limits().maxClientsPerAddress(), 3,
                List.of("--max-clients-per-address", "many"), invalid("--max-clients-per-address", "'many' (expected: 0 for no limit, or a number of clients up to 1000000)")));
        f.put("--request-timeout", new Flag(List.of("--request-timeout", "4"), c -> server(c).limits().requestTimeout(), Duration.ofSeconds(4),
                List.of("--request-timeout", "forever"), invalid("--request-timeout", "'forever' (expected: seconds from 0.1 to 86400)")));
        f.put("--auth", new Flag(List.of("--auth", "viewer:se:cret"), c -> server(c).credentials(), new Credentials("viewer", "se:cret"),
                List.of("--auth", "hunter2"), invalid("--auth", "no ':' in the value (expected: USER:PASSWORD)")));
        f.put("--auth-file", new Flag(List.of("--auth-file", AUTH_FILE.toString()), c -> server(c).credentials(), new Credentials("viewer", "from file"),
                List.of("--auth-file", ""), invalid("--auth-file", "'' (expected: the path of a file holding USER:PASSWORD)")));
        f.put("--tls-cert", new Flag(List.of("--tls-cert", "cert.pem", "--tls-key", "key.pem"), c -> server(c).tls().certificate(), Path.of("cert.pem"),
                List.of("--tls-cert", "", "--tls-key", "key.pem"), invalid("--tls-cert", "'' (expected: the path of a PEM certificate chain)")));
        f.put("--tls-key", new Flag(List.of("--tls-cert", "cert.pem", "--tls-key", "key.pem"), c -> server(c).tls().key(), Path.of("key.pem"),
                List.of("--tls-cert", "cert.pem", "--tls-key", ""), invalid("--tls-key", "'' (expected: the path of a PEM private key)")));
        f.put("--allow-origin", new Flag(List.of("--allow-origin", "https://nvr.example"), c -> server(c).streaming().allowOrigin(), "https://nvr.example",
                List.of("--allow-origin", " "), invalid("--allow-origin", "' ' (expected: an origin such as https://nvr.example, or *)")));
        f.put("--exit-on-source-loss", new Flag(List.of("--exit-on-source-loss"), c -> exitOnSourceLoss(c), true,
                List.of("--exit-on-source-loss", "--exit-on-source-loss"), "mjpeg-server: option '--exit-on-source-loss' should be specified only once (see --help)"));
        f.put("--list-devices", new Flag(List.of("--list-devices"), c -> c.listDevices, true,
                List.of("--list-devices", "--list-devices"), "mjpeg-server: option '--list-devices' should be specified only once (see --help)"));
        f.put("--log-level", new Flag(List.of("--log-level", "DEBUG"), c -> logLevel(c), "debug",
                List.of("--log-level", "verbose"), invalid("--log-level", "'verbose' (expected: error, warn, info, debug or trace)")));
        f.put("--ring-size", new Flag(List.of("--ring-size", "8"), c -> c.feed.capture().ringSize(), 8,
                List.of("--ring-size", "1"), invalid("--ring-size", "'1' (expected: 2 to 64 frames)")));
        f.put("--ring-seconds", new Flag(List.of("--ring-seconds", "5.5"), c -> feeds(c).get(0).options().ringSeconds(), 5.5,
                List.of("--ring-seconds", "61"), invalid("--ring-seconds", "'61' (expected: seconds from 0 to 60)")));
        f.put("--on-demand", new Flag(List.of("--on-demand"), c -> feeds(c).get(0).options().onDemand(), true,
                List.of("--on-demand", "--on-demand"), "mjpeg-server: option '--on-demand' should be specified only once (see --help)"));
        f.put("--idle-grace", new Flag(List.of("--idle-grace", "2.5"), c -> feeds(c).get(0).options().idleGrace(), Duration.ofMillis(2500),
                List.of("--idle-grace", "-1"), invalid("--idle-grace", "'-1' (expected: seconds from 0 to 86400)")));
        f.put("--drop-same-frames", new Flag(List.of("--drop-same-frames"), c -> feeds(c).get(0).options().dropSameFrames(), true,
                List.of("--drop-same-frames", "--drop-same-frames"), "mjpeg-server: option '--drop-same-frames' should be specified only once (see --help)"));
        f.put("--hide-no-signal", new Flag(List.of("--hide-no-signal"), c -> feeds(c).get(0).options().noSignalFrames(), false,
                List.of("--hide-no-signal", "--hide-no-signal"), "mjpeg-server: option '--hide-no-signal' should be specified only once (see --help)"));
        f.put("--workers", new Flag(List.of("--workers", "3"), c -> feeds(c).get(0).options().workers(), 3,
                List.of("--workers", "0"), invalid("--workers", "'0' (expected: auto, or 1 to 32 threads)")));
        String https = "https://192.168.1.10/video.mjpg";
        f.put("--relay-ca", new Flag(List.of("--url", https, "--relay-ca", CAMERA_PEM.toString()),
                c -> feeds(c).get(0).relay().trustedCertificates().size(), 1, List.of("--url", https, "--relay-ca", ""),
                invalid("--relay-ca", "'' (expected: the path of a PEM file holding the camera's certificate or its CA's)")));
        f.put("--relay-insecure", new Flag(List.of("--url", https, "--relay-insecure"),
                c -> feeds(c).get(0).relay().trustAnyCertificate(), true, List.of("--relay-insecure", "--relay-insecure"),
                "mjpeg-server: option '--relay-insecure' should be specified only once (see --help)"));
        f.put("--relay-max-part", new Flag(List.of("--url", https, "--relay-max-part", "512KiB"),
                c -> feeds(c).get(0).relay().maxPartBytes(), 512 * 1024, List.of("--relay-max-part", "1000"),
                invalid("--relay-max-part", "'1000' (expected: a size from 1KiB to 256MiB, such as 8MiB or 512KiB)")));
        f.put("--relay-connect-timeout", new Flag(List.of("--url", https, "--relay-connect-timeout", "2.5"),
                c -> feeds(c).get(0).relay().connectTimeout(), Duration.ofMillis(2500), List.of("--relay-connect-timeout", "0"),
                invalid("--relay-connect-timeout", "'0' (expected: seconds from 0.1 to 600)")));
        f.put("--relay-read-timeout", new Flag(List.of("--url", https, "--relay-read-timeout", "30"),
                c -> feeds(c).get(0).relay().readTimeout(), Duration.ofSeconds(30), List.of("--relay-read-timeout", "601"),
                invalid("--relay-read-timeout", "'601' (expected: seconds from 0.1 to 600)")));
        f.put("--memory", new Flag(List.of("--memory", "96MiB"), c -> feeds(c).get(0).options().memory(), 96L << 20,
                List.of("--memory", "1m"), invalid("--memory", "'1m' (expected: auto, or a size such as 64m or 512MiB, at least 4 MiB)")));
        f.put("--rotate", new Flag(List.of("--rotate", "90"), c -> feeds(c).get(0).derive().transform().rotation(),
                Transform.Rotation.CW90, List.of("--rotate", "45"), invalid("--rotate", "'45' (expected: 0, 90, 180 or 270 (degrees clockwise))")));
        f.put("--flip", new Flag(List.of("--flip", "vertical"), c -> feeds(c).get(0).derive().transform().flip(),
                Transform.Flip.VERTICAL, List.of("--flip", "sideways"), invalid("--flip", "'sideways' (expected: horizontal or vertical)")));
        f.put("--crop", new Flag(List.of("--crop", "640x360+320+180"), c -> feeds(c).get(0).derive().transform().crop(),
                new Transform.Crop(640, 360, 320, 180), List.of("--crop", "641x360+0+0"),
                invalid("--crop", "'641x360+0+0' (expected: WxH+X+Y, the part kept, such as 640x360+320+180, with an even width and height from 16)")));
        f.put("--text", new Flag(List.of("--text", "%$ %H:%M"), c -> feeds(c).get(0).derive().transform().overlay(),
                new Transform.Overlay("%$ %H:%M", Transform.Overlay.Position.TOP_LEFT), List.of("--text", ""),
                invalid("--text", "'' (expected: a format such as '%$ %Y-%m-%d %H:%M:%S' (%$ is the feed's name))")));
        f.put("--text-position", new Flag(List.of("--text", "%T", "--text-position", "top-right"),
                c -> feeds(c).get(0).derive().transform().overlay().position(), Transform.Overlay.Position.TOP_RIGHT,
                List.of("--text-position", "bottom"), invalid("--text-position", "'bottom' (expected: top-left or top-right)")));
        f.put("--max-variants", new Flag(List.of("--max-variants", "3"), c -> feeds(c).get(0).derive().maxVariants(), 3,
                List.of("--max-variants", "65"), invalid("--max-variants", "'65' (expected: 0 for none, or up to 64 variants)")));
        return f;
    }

    @Test
    void budgetsThatCannotFitTheJvmsDirectMemoryAreRefusedInOneLine() {
        Run run = run("--test-pattern", "--port", "0", "--memory", "4096g");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.errLine().startsWith("mjpeg-server: memory: feeds default 4194304 MiB need 4194304 MiB, but the JVM's "),
                run.err());
        assertTrue(run.errLine().endsWith("(expected: smaller memory values, or a larger -XX:MaxDirectMemorySize)"), run.err());
    }

    /** What the command gives, as settings read from a flag or the file are expected to give without fail. */
    interface Reading<T> {
        T of(ServeCommand command) throws Exception;
    }

    static <T> T read(ServeCommand command, Reading<T> reading) {
        try {
            return reading.of(command);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static ServerConfig server(ServeCommand command) {
        return read(command, ServeCommand::serverConfig);
    }

    static ListenSocket listen(ServeCommand command) {
        return read(command, ServeCommand::listenSocket);
    }

    static List<FeedConfig> feeds(ServeCommand command) {
        return read(command, ServeCommand::feeds);
    }

    static boolean exitOnSourceLoss(ServeCommand command) {
        return read(command, ServeCommand::exitOnSourceLoss);
    }

    static String logLevel(ServeCommand command) {
        return read(command, ServeCommand::logLevel);
    }

    private static Set<String> flagsOfTheCommand() {
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : ServeCommand.commandLine(new ServeCommand(Map.of())).getCommandSpec().options()) {
            names.add(option.longestName());
        }
        return names;
    }

    @Test
    void aControlIsForACameraOnly() {
        Run run = run("--test-pattern", "--control", "brightness=140");
        assertEquals("mjpeg-server: --control: for a camera, not test pattern (expected: --device N|PATH, or no"
                + " --control)", run.errLine());
        assertEquals(2, run.exit(), run.err());
    }

    @Test
    void everyFlagHasACase() {
        Set<String> expected = new TreeSet<>(FLAGS.keySet());
        expected.add("--help");
        expected.add("--version");
        assertEquals(expected, flagsOfTheCommand(), "a flag without a case in FLAGS (or a case for a flag that is gone)");
    }

    @Test
    void helpAndTheReferenceNameEveryFlag() throws IOException {
        Run run = run("--help");
        assertEquals(0, run.exit());
        assertEquals("", run.err());
        String reference = Files.readString(Path.of(System.getProperty("user.dir")).getParent()
                .resolve("docs/configuration.md"));
        for (String flag : flagsOfTheCommand()) {
            assertTrue(run.out().contains(flag), flag + " in:\n" + run.out());
            assertTrue(reference.contains("| `" + flag) || reference.contains(", `" + flag), flag + " in the configuration reference");
        }
    }

    @Test
    void helpRendersEveryDescriptionWithoutPicocliWarnings() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        String usage;
        try {
            // picocli reports a description it cannot format on System.err, not on the command's writer.
            System.setErr(new java.io.PrintStream(warnings, true, UTF_8));
            usage = ServeCommand.commandLine(new ServeCommand(Map.of())).getUsageMessage();
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(UTF_8));
        assertTrue(usage.contains("--text-position"), usage);
    }

    static Stream<Arguments> everyFlag() {
        return FLAGS.keySet().stream().map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("everyFlag")
    void everyFlagsValueReachesTheConfig(String flag) {
        Flag f = FLAGS.get(flag);
        ServeCommand command = new ServeCommand(Map.of());
        ServeCommand.commandLine(command).parseArgs(f.good().toArray(String[]::new));
        assertEquals(f.expected(), f.applied().apply(command), String.join(" ", f.good()));
    }

    @ParameterizedTest
    @MethodSource("everyFlag")
    void everyFlagsBadValueIsOneLineNamingFlagValueAndExpectation(String flag) {
        Flag f = FLAGS.get(flag);
        Run run = run(f.bad().toArray(String[]::new));
        assertEquals(f.badLine(), run.errLine());
        assertEquals(2, run.exit(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void theSingleSourceIsOneFeedNamedDefaultAndAUrlKeepsItsOwnSizeAndRate() {
        ServeCommand command = new ServeCommand(Map.of());
        ServeCommand.commandLine(command).parseArgs("--url", "rtsp://cam/stream1", "--on-demand", "--quality", "60");
        assertEquals(List.of(new FeedConfig(FeedConfig.DEFAULT_NAME, new CaptureConfig(new SourceSpec.Url(URI.create("rtsp://cam/stream1")),
                null, 0, 60, 4), new CaptureOptions(true, Duration.ofSeconds(10), false))), feeds(command));
    }

    @Test
    void aDeviceIsAnIndexOrADevicePathFlagAndKeyAlike() throws IOException {
        String byId = "/dev/v4l/by-id/usb-Logitech_C920_0001-video-index0";
        ServeCommand command = new ServeCommand(Map.of());
        ServeCommand.commandLine(command).parseArgs("--device", byId);
        assertEquals(new SourceSpec.Camera(Path.of(byId)), feeds(command).get(0).capture().source());
        Path yaml = tempFile("by-id", ".yaml", "feeds:\n  door: { device: " + byId + " }\n  desk: { device: 2 }\n");
        ServeCommand file = new ServeCommand(Map.of());
        ServeCommand.commandLine(file).parseArgs("--config", yaml.toString());
        assertEquals(List.of(new SourceSpec.Camera(Path.of(byId)), new SourceSpec.Camera(Path.of("/dev/video2"))),
                feeds(file).stream().map(feed -> feed.capture().source()).toList());
        assertEquals(invalid("--device", "'video2' (expected: a camera index from 0 to 255, as in /dev/video0, or a"
                + " device path such as /dev/v4l/by-id/usb-...-video-index0)"), run("--device", "video2").errLine());
    }

    @Test
    void versionNamesTheRelease() {
        Run run = run("--version");
        assertEquals(0, run.exit());
        assertTrue(run.out().startsWith("mjpeg-server 0."), run.out());
    }

    @Test
    void sourcesAreExclusiveAndUnknownFlagsRejected() {
        Run both = run("--test-pattern", "--device", "1");
        assertEquals(2, both.exit());
        assertTrue(both.errLine().contains("mutually exclusive"), both.err());
        Run unknown = run("--resolution", "640x480");
        assertEquals(2, unknown.exit());
        assertEquals("mjpeg-server: unknown option '--resolution' (see --help)", unknown.errLine());
    }

    @Test
    void anUnknownFlagNamesTheNearestOne() {
        Run typo = run("--test-pattern", "--fsp", "10");
        assertEquals(2, typo.exit());
        assertEquals("mjpeg-server: unknown option '--fsp': did you mean --fps? (see --help)", typo.errLine());
        assertEquals("mjpeg-server: unknown option '--max-client': did you mean --max-clients? (see --help)",
                run("--test-pattern", "--max-client=5").errLine());
        assertEquals("mjpeg-server: unknown argument 'video0' (see --help)", run("video0").errLine());
    }

    @Test
    void aMirrorIsOneLineForEachMistakeAndNeverEchoesItsPassword() {
        assertEquals(invalid("--mirror", "'rtsp://origin/' (expected: the http:// or https:// address of another"
                + " mjpeg-server, such as http://origin:8080/)"), run("--mirror", "rtsp://origin/").errLine());
        Run secret = run("--mirror", "http://edge:hunter2@origin:8080/?x=1");
        assertEquals(2, secret.exit());
        assertEquals(invalid("--mirror", "'http://origin:8080/?x=***' (expected: the http:// or https:// address of"
                + " another mjpeg-server, such as http://origin:8080/)"), secret.errLine());
        Run notAUrl = run("--mirror", "http://origin:80 80/");
        assertEquals(2, notAUrl.exit());
        assertTrue(notAUrl.errLine().startsWith("mjpeg-server: Invalid value for option '--mirror': 'http://origin:80 80/' is not a"
                + " valid URL (expected:"), notAUrl.err());
        Run withSource = run("--mirror", "http://origin:8080/", "--test-pattern");
        assertEquals(2, withSource.exit());
        assertTrue(withSource.errLine().contains("mutually exclusive"), withSource.err());
        Run withConfig = run("--mirror", "http://origin:8080/", "--config", CONFIG_FILE.toString());
        assertEquals(2, withConfig.exit());
        assertEquals("mjpeg-server: --mirror cannot be used with --config: an edge serves its origin's feeds (expected:"
                + " --mirror URL with server-wide flags, or --config FILE) (see --help)", withConfig.errLine());
        assertEquals(URI.create("http://origin:8080/cams/"), MirrorConfig.parse("http://origin:8080/cams"));
        Run capWithoutMirror = run("--test-pattern", "--mirror-max-feeds", "10");
        assertEquals(2, capWithoutMirror.exit());
        assertEquals("mjpeg-server: --mirror-max-feeds is for an edge (expected: --mirror URL --mirror-max-feeds N)"
                + " (see --help)", capWithoutMirror.errLine());
    }

    @Test
    void aHostThatIsNotOfThisMachineSaysSo() throws Exception {
        // TEST-NET-3 (RFC 5737): documentation only, on no interface here.
        Assumptions.assumeTrue(!MachineAddresses.isOfThisMachine(InetAddress.getByName("203.0.113.77")));
        Run run = run("--host", "203.0.113.77", "--test-pattern");
        assertEquals(2, run.exit());
        assertTrue(run.errLine().startsWith("mjpeg-server: Invalid value for option '--host': '203.0.113.77' is not an address"
                + " of this machine (expected: 0.0.0.0 for all, :: for all over IPv6 too, or one of: 127.0.0.1"), run.err());
    }

    @Test
    void aBadAuthEnvironmentVariableIsNamedAndItsSecretNeverEchoed() {
        Run run = run(new ServeCommand(Map.of("MJPEG_SERVER_AUTH", "hunter2")), "--test-pattern", "--port", "0");
        assertEquals(2, run.exit());
        assertEquals("mjpeg-server: MJPEG_SERVER_AUTH: no ':' in the value (expected: USER:PASSWORD) (see --help)", run.errLine());
        Run emptyUser = run(new ServeCommand(Map.of("MJPEG_SERVER_AUTH", ":hunter2")), "--test-pattern", "--port", "0");
        assertEquals(2, emptyUser.exit());
        assertEquals("mjpeg-server: MJPEG_SERVER_AUTH: empty user name (expected: USER:PASSWORD)"
                + " (see --help)", emptyUser.errLine());
        Run emptyPassword = run("--auth", "viewer:");
        assertEquals(invalid("--auth", "empty password (expected: USER:PASSWORD)"), emptyPassword.errLine());
        for (Run r : List.of(run, emptyUser, emptyPassword)) {
            assertFalse(r.err().contains("hunter2"), r.err());
        }
    }

    @Test
    void anUnreadableAuthFileSaysWhy(@org.junit.jupiter.api.io.TempDir Path dir) {
        Run missing = run("--auth-file", dir.resolve("auth").toString(), "--test-pattern", "--port", "0");
        assertEquals(1, missing.exit());
        assertEquals("mjpeg-server: --auth-file " + dir.resolve("auth") + " does not exist", missing.errLine());
        Run directory = run("--auth-file", dir.toString(), "--test-pattern", "--port", "0");
        assertEquals(1, directory.exit());
        assertEquals("mjpeg-server: --auth-file " + dir + " is a directory, not a file", directory.errLine());
        // Permission denied needs an unprivileged user: UnprivilegedStartTest.
    }

    @Test
    void anAuthFileWithAByteOrderMarkAndCrlfGivesTheRightPassword(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("auth");
        // What Windows Notepad writes: a UTF-8 byte order mark and CRLF line ends.
        Files.write(file, ("\uFEFFviewer:s\u00e9cret\r\n").getBytes(UTF_8));
        try (Serving serving = Serving.start("--test-pattern", "--host", "127.0.0.1", "--port", "0",
                "--size", "320x240", "--auth-file", file.toString())) {
            int port = serving.awaitStarted().port();
            String basic = "Basic " + Base64.getEncoder().encodeToString("viewer:s\u00e9cret".getBytes(UTF_8));
            assertEquals(200, Http.get("http://127.0.0.1:" + port + "/snapshot", "Authorization", basic).statusCode());
            assertEquals(0, serving.stop().exit());
        }
    }

    @Test
    void aMissingCameraSaysWhichAndHowToGoOn() {
        Run run = run("--device", "63", "--port", "0");
        assertEquals(1, run.exit());
        assertEquals("mjpeg-server: camera /dev/video63 not found: connect a camera, pick another with --device N,"
                + " or stream the built-in test pattern with --test-pattern", run.errLine());
    }

    @Test
    void aMissingFileSaysWhich() {
        Run run = run("--file", "/nonexistent/clip.mp4", "--port", "0");
        assertEquals(1, run.exit());
        assertEquals("mjpeg-server: video file /nonexistent/clip.mp4 not found: check the path given to --file", run.errLine());
    }

    @Test
    void aPortInUseSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Run run = run("--test-pattern", "--host", "127.0.0.1", "--port", String.valueOf(port), "--size", "320x240");
            assertEquals(1, run.exit());
            assertEquals("mjpeg-server: port " + port + " on 127.0.0.1 is already in use: stop the other server"
                    + " or choose another --port", run.errLine());
        }
    }

    @Test
    void runsUntilStoppedAndServesTheTestPattern() throws Exception {
        try (Serving serving = Serving.start("--test-pattern", "--host", "127.0.0.1", "--port", "0",
                "--size", "320x240", "--fps", "10", "--quality", "70")) {
            int port = serving.awaitStarted().port();
            HttpURLConnection snapshot = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/snapshot").toURL().openConnection();
            snapshot.setConnectTimeout(5_000);
            snapshot.setReadTimeout(5_000);
            assertEquals(200, snapshot.getResponseCode());
            assertEquals("image/jpeg", snapshot.getContentType());
            byte[] jpeg = snapshot.getInputStream().readAllBytes();
            assertEquals(320, javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg)).getWidth());
            assertEquals(0, serving.stop().exit());
        }
    }
}
