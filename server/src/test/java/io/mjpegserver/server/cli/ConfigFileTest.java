package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.cli.ServeCommandTest.Flag;
import io.mjpegserver.server.cli.ServeCommandTest.Run;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.testing.Http;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --config FILE}: what a good file gives, that flags override it, and the one line for each kind of mistake. */
class ConfigFileTest {

    private static final String FIVE_FEEDS = """
            port: 9090
            feeds:
              front:   { url: "http://user:pass@192.168.1.10/video.mjpg" }
              garage:  { url: "rtsp://192.168.1.11:554/stream1", fps: 10, on-demand: true, idle-grace: 30 }
              desk:    { device: 0, size: 1280x720, fps: 30, quality: 90 }
              lobby:   { file: /srv/lobby.mp4, ring-size: 8, hide-no-signal: true }
              test:    { test-pattern: true, size: 640x480, drop-same-frames: yes }
            """;

    /** A feed for files whose point is elsewhere. */
    private static final String ONE_FEED = "feeds:\n  cam: { test-pattern: true }\n";

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("cams.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static ServeCommand parsed(Map<String, String> environment, String... args) {
        ServeCommand command = new ServeCommand(environment);
        ServeCommand.commandLine(command).parseArgs(args);
        return command;
    }

    private static ServeCommand parsed(String... args) {
        return parsed(Map.of(), args);
    }

    /** Runs the command on {@code yaml} (and {@code more} flags): exit 2, and exactly "mjpeg-server: FILE" + {@code rest}. */
    private void refused(String yaml, String rest, String... more) throws Exception {
        Path file = write(yaml);
        refused(file, "mjpeg-server: " + file + rest, more);
    }

    private static void refused(Path file, String line, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config", file.toString()));
        args.addAll(List.of(more));
        Run run = runBounded(args.toArray(String[]::new));
        assertEquals(line, run.errLine());
        assertEquals(2, run.exit(), run.err());
        assertEquals("", run.out());
    }

    /** The command run in-process; one that serves instead of refusing is stopped and fails the test rather than hang it. */
    private static Run runBounded(String... args) throws Exception {
        try (Serving serving = Serving.start(args)) {
            return serving.ended(Duration.ofSeconds(30));
        }
    }

    @Test
    void fiveFeedsParseIntoTheirFeedConfigsInOrder() throws Exception {
        ServeCommand command = parsed("--config", write(FIVE_FEEDS).toString());
        List<FeedConfig> expected = List.of(
                new FeedConfig("front", new CaptureConfig(new SourceSpec.Url(URI.create("http://user:pass@192.168.1.10/video.mjpg")),
                        null, 0, 80, 4), CaptureOptions.DEFAULTS),
                new FeedConfig("garage", new CaptureConfig(new SourceSpec.Url(URI.create("rtsp://192.168.1.11:554/stream1")),
                        null, 10, 80, 4), new CaptureOptions(true, Duration.ofSeconds(30), false)),
                new FeedConfig("desk", new CaptureConfig(new SourceSpec.Camera(0), new VideoSize(1280, 720), 30, 90, 4),
                        CaptureOptions.DEFAULTS),
                new FeedConfig("lobby", new CaptureConfig(new SourceSpec.VideoFile(Path.of("/srv/lobby.mp4")), null, 0, 80, 8),
                        CaptureOptions.DEFAULTS.withNoSignalFrames(false)),
                new FeedConfig("test", new CaptureConfig(new SourceSpec.TestPattern(), new VideoSize(640, 480), 30, 80, 4),
                        new CaptureOptions(false, CaptureOptions.DEFAULT_IDLE_GRACE, true)));
        assertEquals(expected, command.feeds());
        assertEquals(ServerConfig.builder().port(9090).maxConnectionRate(20).build(), command.serverConfig());
    }

    @Test
    void theReadmesExampleParses() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("README.md"));
        Matcher example = Pattern.compile("## Several cameras from one YAML file.*?```yaml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(example.find(), "the README's example");
        Files.writeString(dir.resolve("viewer.secret"), "viewer:secret\n");
        ServeCommand command = parsed("--config", write(example.group(1)).toString());
        assertEquals(List.of("front", "garage", "desk", "lobby", "test"), command.feeds().stream().map(FeedConfig::name).toList());
        assertEquals(new Credentials("viewer", "secret"), command.serverConfig().credentials());
    }

    /** slf4j-simple reads its level once, before the command parses anything: Main finds it in the file first. */
    @Test
    void theFilesLogLevelIsAppliedBeforeParsingAndTheFlagOverridesIt() throws Exception {
        String file = write("log-level: warn\n" + ONE_FEED).toString();
        assertEquals("warn", Main.logLevel(new String[] {"--config", file}));
        assertEquals("warn", Main.logLevel(new String[] {"--config=" + file, "--port", "0"}));
        assertEquals("debug", Main.logLevel(new String[] {"--config", file, "--log-level", "debug"}));
        assertEquals("warn", parsed("--config", file).logLevel());
        assertEquals("debug", parsed("--config", file, "--log-level", "debug").logLevel());
        // A broken file is said by the command, not here.
        assertEquals(null, Main.logLevel(new String[] {"--config", write("log-level: [").toString()}));
        assertEquals(null, Main.logLevel(new String[] {"--config", dir.resolve("nope.yaml").toString()}));
    }

    @Test
    void relativePathsAreTakenFromTheFilesDirectory() throws Exception {
        Files.writeString(dir.resolve("viewer.secret"), "viewer:secret\n");
        ServeCommand command = parsed("--config", write("auth-file: viewer.secret\ntls-cert: tls/cert.pem\ntls-key: /etc/key.pem\n"
                + "feeds:\n  lobby: { file: clips/lobby.mp4 }\n").toString());
        assertEquals(new SourceSpec.VideoFile(dir.resolve("clips/lobby.mp4")), command.feeds().get(0).capture().source());
        assertEquals(new TlsFiles(dir.resolve("tls/cert.pem"), Path.of("/etc/key.pem")), command.serverConfig().tls());
        assertEquals(new Credentials("viewer", "secret"), command.serverConfig().credentials());
    }

    @Test
    void flagsOverrideTheFile() throws Exception {
        Path file = write("host: 127.0.0.1\nport: 9090\nmax-clients: 5\nauth: 'file:pw'\ntls-cert: /file/cert.pem\n"
                + "tls-key: /file/key.pem\nclient-timeout: 7\n" + ONE_FEED);
        ServerConfig fromFile = parsed("--config", file.toString()).serverConfig();
        assertEquals(ServerConfig.builder().host("127.0.0.1").port(9090).maxClients(5).clientTimeout(Duration.ofSeconds(7))
                .maxConnectionRate(20).credentials(new Credentials("file", "pw"))
                .tls(new TlsFiles(Path.of("/file/cert.pem"), Path.of("/file/key.pem"))).build(), fromFile);
        ServerConfig overridden = parsed("--config", file.toString(), "--port", "9191", "--client-timeout", "2", "--auth", "flag:pw",
                "--tls-cert", "/flag/cert.pem", "--tls-key", "/flag/key.pem").serverConfig();
        assertEquals(fromFile.toBuilder().port(9191).clientTimeout(Duration.ofSeconds(2)).credentials(new Credentials("flag", "pw"))
                .tls(new TlsFiles(Path.of("/flag/cert.pem"), Path.of("/flag/key.pem"))).build(), overridden);
        // A flag given at its default value still overrides.
        assertEquals(8080, parsed("--config", file.toString(), "--port", "8080").serverConfig().listening().port());
        // The environment's credentials come before the file's.
        assertEquals(new Credentials("env", "pw"),
                parsed(Map.of("MJPEG_SERVER_AUTH", "env:pw"), "--config", file.toString()).serverConfig().credentials());
    }

    static Stream<Arguments> serverFlags() {
        Set<String> feedFlags = new TreeSet<>();
        ConfigFile.FEED_KEYS.forEach(key -> feedFlags.add("--" + key));
        return ServeCommandTest.FLAGS.keySet().stream().filter(flag -> !feedFlags.contains(flag) && !ConfigFile.NOT_KEYS.contains(flag.substring(2))).map(Arguments::of);
    }

    /** The flag's good arguments as the file's lines: {@code --port 9000} is {@code port: '9000'}, a switch is {@code true}. */
    private static String asKeys(List<String> args) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            String key = args.get(i).substring(2);
            boolean hasValue = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
            yaml.append(key).append(": ").append(hasValue ? "'" + args.get(++i).replace("'", "''") + "'" : "true").append('\n');
        }
        return yaml.toString();
    }

    @ParameterizedTest
    @MethodSource("serverFlags")
    void everyServerSettingInTheFileReachesTheConfig(String flag) throws Exception {
        Flag f = ServeCommandTest.FLAGS.get(flag);
        ServeCommand command = parsed("--config", write(asKeys(f.good()) + ONE_FEED).toString());
        // A relative path in the file is the file's directory's.
        Object expected = f.expected() instanceof Path path ? dir.resolve(path) : f.expected();
        assertEquals(expected, f.applied().apply(command), asKeys(f.good()));
    }

    static Stream<Arguments> feedFlags() {
        return ConfigFile.FEED_KEYS.stream().map(key -> Arguments.of("--" + key));
    }

    /**
     * A feed in the file with the flag's key is the feed the flag makes, every other setting at its default on both
     * sides: a key the file reads wrongly, or not at all, or a default the two do not share, fails here.
     */
    @ParameterizedTest
    @MethodSource("feedFlags")
    void everyFeedSettingInTheFileGivesTheFeedItsFlagGives(String flag) throws Exception {
        List<String> args = new ArrayList<>(ServeCommandTest.FLAGS.get(flag).good());
        if (args.stream().noneMatch(arg -> ConfigFile.SOURCE_KEYS.contains(arg.replaceFirst("^--", "")))) {
            args.add("--test-pattern");
        }
        FeedConfig fromFlags = parsed(args.toArray(String[]::new)).feeds().get(0);
        if (fromFlags.capture().source() instanceof SourceSpec.VideoFile file) {
            // A relative path in the file is the file's directory's.
            fromFlags = new FeedConfig(fromFlags.name(), fromFlags.capture().withSource(new SourceSpec.VideoFile(dir.resolve(file.path()))),
                    fromFlags.options(), fromFlags.relay());
        }
        String keys = asKeys(args).lines().map(line -> "    " + line + "\n").reduce("", String::concat);
        FeedConfig fromFile = parsed("--config", write("feeds:\n  " + FeedConfig.DEFAULT_NAME + ":\n" + keys).toString()).feeds().get(0);
        assertEquals(fromFlags, fromFile, String.join(" ", args));
    }

    static Stream<Arguments> flagsWithABadValue() {
        return ServeCommandTest.FLAGS.keySet().stream().filter(flag -> ServeCommandTest.FLAGS.get(flag).badLine().contains("Invalid value"))
                .filter(flag -> !ConfigFile.NOT_KEYS.contains(flag.substring(2))).map(Arguments::of);
    }

    /** The file and the flag say the same about the same bad value: {@code --fps 0} and {@code fps: 0}. */
    @ParameterizedTest
    @MethodSource("flagsWithABadValue")
    void everyBadValueInTheFileSaysWhatTheFlagSays(String flag) throws Exception {
        Flag f = ServeCommandTest.FLAGS.get(flag);
        String key = flag.substring(2);
        String said = f.badLine().replaceFirst("^mjpeg-server: Invalid value for option '" + Pattern.quote(flag) + "': ", "")
                .replaceFirst(" \\(see --help\\)$", "");
        String keys = asKeys(f.bad());
        int line = keys.lines().toList().indexOf(keys.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElseThrow()) + 1;
        if (ConfigFile.FEED_KEYS.contains(key)) {
            String source = ConfigFile.SOURCE_KEYS.contains(key) ? "" : "    test-pattern: true\n";
            String feedKeys = keys.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
            refused("feeds:\n  cam:\n" + source + feedKeys, " line " + (line + 2 + (source.isEmpty() ? 0 : 1)) + ", feed cam, " + key + ": " + said);
        } else {
            refused(keys + ONE_FEED, " line " + line + ", " + key + ": " + said);
        }
    }

    @Test
    void everyOptionIsAKeyOfTheFileOrSaysWhyNot() {
        CommandSpec spec = ServeCommand.commandLine(new ServeCommand(Map.of())).getCommandSpec();
        Set<String> options = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            options.add(option.longestName().substring(2));
        }
        Set<String> keys = new TreeSet<>(ConfigFile.serverKeys(spec));
        keys.addAll(ConfigFile.FEED_KEYS);
        keys.addAll(ConfigFile.NOT_KEYS);
        assertEquals(options, keys);
        assertTrue(ConfigFile.serverKeys(spec).containsAll(List.of("host", "port", "auth", "auth-file", "tls-cert", "tls-key",
                "max-clients", "log-level")), ConfigFile.serverKeys(spec).toString());
    }

    // One test per kind of mistake: the exact line, exit 2.

    @Test
    void aMissingOrUnreadableFileIsNamed() throws Exception {
        refused(dir.resolve("nope.yaml"), "mjpeg-server: --config " + dir.resolve("nope.yaml") + " does not exist");
        refused(dir, "mjpeg-server: --config " + dir + " is a directory, not a file");
        // Permission denied needs an unprivileged user (root reads any file): UnprivilegedStartTest's way, not repeated here.
    }

    @Test
    void aYamlSyntaxErrorIsOneLineInOurWordsWithItsLine() throws Exception {
        refused("port: 8080\nfeeds:\n\tcam: { test-pattern: true }\n",
                " line 3: a tab character (expected: spaces to indent, YAML allows no tabs there)");
        refused("feeds:\n  cam: { url: \"http://cam/x }\n",
                " line 2: a quote that is not closed (expected: a value between two \" or two ')");
        refused("feeds:\n  cam: { test-pattern: true\n  desk: { device: 0 }\n",
                " line 2: a { not closed, or a missing comma (expected: { key: value, key: value } on one line)");
        refused("feeds:\n  cam: x\n   fps: 1\n", " line 3: a ':' where no key belongs (expected: one KEY: VALUE a line, each key in"
                + " line with its siblings; quote a value that holds ': ')");
    }

    @Test
    void aCamerasControlsMapGivesItsControlsInOrderAndOnlyACameraTakesThem() throws Exception {
        FeedConfig feed = parsed("--config", write("feeds:\n  desk:\n    device: 7\n"
                + "    controls: { brightness: 140, power_line_frequency: 50hz }\n").toString()).feeds().get(0);
        SourceSpec.Camera camera = (SourceSpec.Camera) feed.capture().source();
        assertEquals(List.of("brightness=140", "power_line_frequency=50hz"), camera.controls().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
        refused("feeds:\n  front:\n    url: http://192.168.1.10/video.mjpg\n    controls: { brightness: 140 }\n",
                " line 4, feed front: controls are for a camera (expected: device: in this feed, or no controls)");
        refused("feeds:\n  desk:\n    device: 7\n    controls: 140\n", " line 4, feed desk, controls: '140' (expected:"
                + " each control's name and value, such as controls: { brightness: 140 })");
    }

    @Test
    void anUnknownKeyNamesTheNearestAndListsTheKnownOnes() throws Exception {
        refused("prot: 8080\n" + ONE_FEED, " line 1: unknown key 'prot': did you mean port? (expected one of: feeds, host, port, unix, unix-mode, boundary, client-timeout,"
                + " send-buffer, max-clients, max-clients-per-address, max-connection-rate, request-timeout, auth, auth-file,"
                + " tls-cert, tls-key,"
                + " allow-origin, exit-on-source-loss, log-level)");
        refused("feeds:\n  garage: { test-pattern: true, fsp: 10 }\n", " line 2, feed garage: unknown key 'fsp': did you mean fps? (expected one of: device,"
                + " file, test-pattern, url, fps, size, quality, ring-size, ring-seconds, on-demand, idle-grace, drop-same-frames, hide-no-signal,"
                + " relay-ca, relay-insecure, relay-max-part, relay-connect-timeout, relay-read-timeout, workers, memory, rotate, flip, crop, text, text-position,"
                + " max-variants, controls)");
        refused("feeds:\n  garage: { test-pattern: true, resolution: 640x480 }\n", " line 2, feed garage: unknown key"
                + " 'resolution' (expected one of: device, file, test-pattern, url, fps, size, quality, ring-size, ring-seconds,"
                + " on-demand, idle-grace, drop-same-frames, hide-no-signal, relay-ca, relay-insecure, relay-max-part,"
                + " relay-connect-timeout, relay-read-timeout, workers, memory, rotate, flip, crop, text, text-position, max-variants,"
                + " controls)");
    }

    @Test
    void aSourceThatCannotStartIsToldAtItsKeyAndLine() throws Exception {
        Path file = write("port: 0\nfeeds:\n  cam: { test-pattern: true }\n  lobby:\n    fps: 5\n"
                + "    file: /nonexistent/clip.mp4\n");
        Run run = runBounded("--config", file.toString());
        assertEquals("mjpeg-server: " + file + " line 6, feed lobby, file: video file /nonexistent/clip.mp4 not found:"
                + " check the path given to file:", run.errLine());
        assertEquals(1, run.exit(), run.err());
        Path camera = write("port: 0\nfeeds:\n  desk: { device: 63 }\n");
        assertEquals("mjpeg-server: " + camera + " line 3, feed desk, device: camera /dev/video63 not found: connect a"
                + " camera, pick another with device: N, or stream the built-in test pattern with test-pattern: true",
                runBounded("--config", camera.toString()).errLine());
    }

    @Test
    void aKeyInTheWrongPlaceSaysWhereItBelongs() throws Exception {
        refused("fps: 10\n" + ONE_FEED, " line 1: fps belongs to a feed (expected: fps: under a feed's name in feeds:, such as"
                + " front: { url: ..., fps: ... })");
        refused("feeds:\n  cam: { test-pattern: true, port: 9000 }\n", " line 2, feed cam: port is server-wide (expected: port: at"
                + " the top of the file, not in a feed)");
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatIsExpected() throws Exception {
        refused("feeds:\n  - name: cam\n    test-pattern: true\n", " line 1, feeds: a list (expected: feed names, each with its"
                + " settings, such as front: { url: http://192.168.1.10/video.mjpg })");
        refused("feeds:\n  front: http://192.168.1.10/video.mjpg\n", " line 2, feed front: 'http://192.168.1.10/video.mjpg'"
                + " (expected: the feed's settings, such as front: { url: http://192.168.1.10/video.mjpg })");
        refused("feeds:\n  cam: { test-pattern: true, fps: [10, 20] }\n", " line 2, feed cam, fps: a list (expected: one value,"
                + " as --fps FPS takes)");
        refused("feeds:\n  cam: { test-pattern: true, on-demand: sometimes }\n", " line 2, feed cam, on-demand: 'sometimes'"
                + " (expected: true or false)");
        refused("port: { number: 80 }\n" + ONE_FEED, " line 1, port: a mapping (expected: one value, as --port PORT takes)");
        refused("- port: 80\n", " line 1: a list (expected: KEY: VALUE settings and feeds:, as in the README's example)");
    }

    @Test
    void aBadValueIsNamedWithItsFeedAndKey() throws Exception {
        refused("feeds:\n  cam: { test-pattern: true }\n  desk:\n    device: 0\n    size: 1281x720\n",
                " line 5, feed desk, size: '1281x720': width: 1281 (expected: an even number from 16 to 8192)");
        refused("feeds:\n  desk: { device: 0, fps: 500 }\n", " line 2, feed desk, fps: '500' (expected: frames per second from 0.1 to 240)");
        refused("port: 80800\n" + ONE_FEED, " line 1, port: '80800' (expected: a port from 0 to 65535)");
        refused("feeds:\n  desk: { device: , size: 640x480 }\n", " line 2, feed desk, device: '' (expected: a camera index from 0 to"
                + " 255, as in /dev/video0, or a device path such as /dev/v4l/by-id/usb-...-video-index0)");
    }

    @Test
    void aFeedNeedsExactlyOneSource() throws Exception {
        refused("feeds:\n  cam: { size: 640x480 }\n", " line 2, feed cam: no source (expected: one of device, file, test-pattern, url)");
        refused("feeds:\n  cam: { test-pattern: false }\n", " line 2, feed cam: no source (expected: one of device, file, test-pattern, url)");
        refused("feeds:\n  cam:\n    url: http://cam/video.mjpg\n    device: 1\n", " line 4, feed cam: two sources, url and device"
                + " (expected: exactly one of device, file, test-pattern, url)");
    }

    @Test
    void aFeedNameMustBeValidAndUnique() throws Exception {
        refused("feeds:\n  Front Door: { test-pattern: true }\n", " line 2: feed name: 'Front Door' (expected: 1 to 64 of a-z, 0-9"
                + " and -, not starting or ending with -)");
        refused("feeds:\n  cam: { test-pattern: true }\n  desk: { device: 0 }\n  cam: { device: 1 }\n", " line 4: feed name 'cam'"
                + " given twice (first on line 2; expected: a different name for each feed)");
        refused("port: 1\nfeeds:\n  cam: { test-pattern: true, fps: 5, fps: 6 }\nport: 2\n", " line 3, feed cam: fps given twice"
                + " (first on line 3; expected: each key once)");
        refused("port: 1\n" + ONE_FEED + "port: 2\n", " line 4: port given twice (first on line 1; expected: each key once)");
    }

    @Test
    void aFileWithNoFeedSaysSo() throws Exception {
        String expected = ": no feeds (expected: feeds: and at least one feed under it, such as front: { url: http://192.168.1.10/video.mjpg })";
        refused("", expected);
        refused("# nothing yet\n", expected);
        refused("port: 8080\n", expected);
        refused("port: 8080\nfeeds:\n", " line 2, feeds: no feed (expected: at least one, such as front: { url:"
                + " http://192.168.1.10/video.mjpg })");
        refused("feeds: {}\n", " line 1, feeds: no feed (expected: at least one, such as front: { url: http://192.168.1.10/video.mjpg })");
    }

    @Test
    void aBadUrlIsSaidInTheUrlsWordsWithoutItsPassword() throws Exception {
        refused("feeds:\n  front: { url: 'ftp://viewer:hunter2@cam/x' }\n", " line 2, feed front, url: 'ftp://cam/x'"
                + " (expected: http://, https:// or rtsp:// followed by a host, such as http://192.168.1.10/video.mjpg)");
        refused("feeds:\n  front: { url: 'http://viewer:hunter2@cam/a b' }\n", " line 2, feed front, url: 'http://cam/a b'"
                + " is not a valid URL (expected: http://, https:// or rtsp:// followed by a host, such as http://192.168.1.10/video.mjpg;"
                + " percent-encode spaces and other special characters, in a password too)");
    }

    @Test
    void halfAPairIsRefused() throws Exception {
        refused("tls-cert: cert.pem\n" + ONE_FEED, " line 1: tls-cert without tls-key (expected: both, or neither)");
        refused("auth: 'a:b'\nauth-file: secret\n" + ONE_FEED, " line 2: auth and auth-file both given (expected: one of them)");
    }

    @Test
    void aSourceOrFeedFlagBesideTheFileIsRefused() throws Exception {
        Path file = write(ONE_FEED);
        refused(file, "mjpeg-server: --test-pattern cannot be used with --config: the config file defines the feeds and their sources"
                + " (expected: test-pattern: under a feed in " + file + ", or no --config) (see --help)", "--test-pattern");
        refused(file, "mjpeg-server: --fps cannot be used with --config: each feed's fps is set in the config file"
                + " (expected: fps: under a feed in " + file + ", or no --config) (see --help)", "--fps", "10");
    }

    @Test
    void whatYamlHasAndWeDoNotIsRefused() throws Exception {
        refused(ONE_FEED + "---\nport: 1\n", " line 4: a second YAML document (expected: one, with no --- line after its settings)");
        refused("feeds:\n  cam: &cam { test-pattern: true }\n  desk: *cam\n", " line 3: an alias, *cam (expected: the value written"
                + " out; anchors and aliases are not supported)");
    }

    @Test
    void aFileThatIsNotTextSaysSo() throws Exception {
        Path file = dir.resolve("cams.yaml");
        Files.write(file, new byte[] {'f', 'e', 'e', 'd', 's', ':', ' ', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '\n'});
        refused(file, "mjpeg-server: " + file + " is not UTF-8 text (expected: a YAML file in UTF-8)");
    }

    @Test
    void aControlCharacterSaysSo() throws Exception {
        refused("port: \u0001\n" + ONE_FEED, ": a character YAML does not allow, such as a control character (expected: printable text)");
    }

    @Test
    void servesTheFileAndItsFirstFeedIsTheDefault() throws Exception {
        Path file = write("host: 127.0.0.1\nport: 0\nfeeds:\n  small: { test-pattern: true, size: 320x240, fps: 10 }\n"
                + "  large: { test-pattern: true, size: 640x480 }\n");
        try (Serving serving = Serving.start("--config", file.toString())) {
            HttpResponse<byte[]> snapshot = Http.get("http://127.0.0.1:" + serving.awaitStarted().port() + "/snapshot");
            assertEquals(200, snapshot.statusCode());
            assertEquals(320, ImageIO.read(new ByteArrayInputStream(snapshot.body())).getWidth());
            assertEquals(0, serving.stop().exit());
        }
    }
}
