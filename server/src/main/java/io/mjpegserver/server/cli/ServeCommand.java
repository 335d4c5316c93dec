package io.mjpegserver.server.cli;

import io.mjpegserver.capture.SourceException;
import io.mjpegserver.capture.source.CameraList;
import io.mjpegserver.capture.source.Natives;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.config.Credentials;
import io.mjpegserver.server.config.ListenSocket;
import io.mjpegserver.server.config.ServerConfig;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.config.StartupException;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.MemoryBudgets;
import io.mjpegserver.server.config.MirrorConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** The command line: flags in, validated config records out, then the server until SIGINT or SIGTERM. */
@Command(name = "mjpeg-server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        defaultValueProvider = Defaults.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Captures each video source once, encodes it at most once, and streams it as MJPEG"
                + " (multipart/x-mixed-replace) to any number of clients: one source from the flags, or several"
                + " feeds from --config FILE.",
        footer = {"", "Endpoints: /  /stream (/stream.mjpg, /?action=stream)  /snapshot (/snapshot.jpg, /?action=snapshot)"})
public final class ServeCommand implements Callable<Integer> {

    /** The single feed's source and capture, without {@code --config}. */
    @Mixin
    FeedFlags feed;

    @Option(names = "--config", paramLabel = "FILE", converter = Converters.ConfigFile.class,
            description = "Serve the feeds this YAML file defines (and its server-wide settings, which flags override)"
                    + " instead of one source from the flags.")
    Path config;

    @Option(names = "--host", paramLabel = "ADDR", converter = Converters.Host.class,
            description = "Address of this machine to listen on; :: for every IPv6 and IPv4 address. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class,
            description = "TCP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--unix", paramLabel = "PATH", converter = Converters.UnixSocket.class,
            description = "Listen on this unix socket instead of --host and --port (for a proxy such as nginx in front);"
                    + " a stale socket file there is replaced, and the file is removed at exit.")
    Path unix;

    @Option(names = "--unix-mode", paramLabel = "MODE", converter = Converters.UnixMode.class,
            description = "The --unix socket file's permissions in octal, such as 660 (default: as the umask gives).")
    Converters.FileMode unixMode;

    @Option(names = "--boundary", paramLabel = "TEXT", converter = Converters.Boundary.class,
            description = "Multipart boundary, 16-60 letters or digits. Default: ${DEFAULT-VALUE} (as mjpg-streamer).")
    String boundary;

    @Option(names = "--client-timeout", paramLabel = "SECONDS", converter = Converters.Seconds.class,
            description = "Close a client whose socket takes longer than this to accept one frame (or one answer):"
                    + " it is stalled, and would pin that frame in memory. Default: ${DEFAULT-VALUE}.")
    Duration clientTimeout;

    @Option(names = "--send-buffer", paramLabel = "KIB", converter = Converters.SendBuffer.class,
            description = "Kernel send buffer per client in KiB; 0 lets the kernel grow it (a slow client then lags"
                    + " seconds behind instead of skipping to fresh frames). Default: ${DEFAULT-VALUE}.")
    int sendBufferKib;

    @Option(names = "--max-clients", paramLabel = "N", converter = Converters.Limit.class,
            description = "Most stream clients at once (503 past it); 0 for no limit. Default: ${DEFAULT-VALUE}.")
    int maxClients;

    @Option(names = "--max-clients-per-address", paramLabel = "N", converter = Converters.Limit.class,
            description = "Most stream clients from one IP address (503 past it); 0 for no limit. Default: ${DEFAULT-VALUE}.")
    int maxClientsPerAddress;

    @Option(names = "--max-connection-rate", paramLabel = "N", converter = Converters.ConnectionRate.class,
            description = "Most new connections one IP address may open per second, and 5 seconds' worth at once; past it they"
                    + " are closed at once. 0 for no limit (behind a reverse proxy, which opens every connection: limit"
                    + " there). Default: ${DEFAULT-VALUE}.")
    int maxConnectionRate;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", converter = Converters.Seconds.class,
            description = "Close a connection that takes longer to send its request headers (408). Default: ${DEFAULT-VALUE}.")
    Duration requestTimeout;

    /** At most one way to give credentials. */
    static final class Auth {
        @Option(names = "--auth", paramLabel = "USER:PASSWORD", converter = Converters.Credentials.class,
                description = "Require HTTP Basic auth on every endpoint but /healthz. Also from $MJPEG_SERVER_AUTH.")
        Credentials credentials;

        @Option(names = "--auth-file", paramLabel = "PATH", converter = Converters.AuthFile.class,
                description = "Read USER:PASSWORD from the first line of this file, to keep it off the command line.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Auth auth;

    /** Both or neither. */
    static final class Tls {
        @Option(names = "--tls-cert", paramLabel = "PEM", required = true, converter = Converters.Certificate.class, description = "Serve HTTPS with this PEM certificate chain.")
        Path certificate;

        @Option(names = "--tls-key", paramLabel = "PEM", required = true, converter = Converters.PrivateKey.class,
                description = "The certificate's PEM private key, unencrypted: PKCS#8 or PKCS#1 RSA.")
        Path key;
    }

    @ArgGroup(exclusive = false, multiplicity = "0..1")
    Tls tls;

    @Option(names = "--allow-origin", paramLabel = "ORIGIN", converter = Converters.Origin.class,
            description = "Send CORS headers allowing this origin (or * for any), so pages elsewhere can fetch /state or the stream.")
    String allowOrigin;

    @Option(names = "--exit-on-source-loss",
            description = "Exit with status 3 when the source fails, instead of sending NO SIGNAL and reopening it (for systemd Restart=).")
    boolean exitOnSourceLoss;

    @Option(names = "--list-devices",
            description = "Print each camera (its name, formats, sizes, frame rates and controls, as V4L2 gives them) and exit.")
    boolean listDevices;

    /** Applied by {@link Main} before parsing (slf4j-simple reads its level once); declared here to validate and document it. */
    @Option(names = "--log-level", paramLabel = "LEVEL", converter = Converters.LogLevel.class,
            description = "error, warn, info (one line per client connect and disconnect), debug or trace. Default: ${DEFAULT-VALUE}.")
    String logLevel;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private ConfigFile configFile;

    /** The longest path a unix socket may have: {@code sun_path} holds 108 bytes with the terminating zero. */
    static final int MAX_UNIX_PATH = 107;

    /** Exit status when the source is lost and {@code --exit-on-source-loss} is set. */
    static final int EXIT_SOURCE_LOST = 3;

    /** Counted down when the server is up: lets tests run the real command in-process. */
    final CountDownLatch started = new CountDownLatch(1);
    volatile MjpegServer server;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicInteger exitStatus = new AtomicInteger();
    private final Map<String, String> environment;

    public ServeCommand() {
        this(System.getenv());
    }

    /** @param environment where {@code MJPEG_SERVER_AUTH} is read from (tests give their own) */
    ServeCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** A configured command line: one-line errors, exit status 2 for a bad flag. */
    static CommandLine commandLine(ServeCommand command) {
        CommandLine cli = new CommandLine(command);
        cli.setParameterExceptionHandler(ServeCommand::badFlag);
        return cli;
    }

    private static int badFlag(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String repeated = e instanceof CommandLine.MaxValuesExceededException ? repeatedOption(e.getCommandLine(), args) : null;
        // picocli words a flag given twice in a group (--test-pattern --test-pattern) in its own internals.
        String message = repeated == null ? e.getMessage() : "option '" + repeated + "' should be specified only once";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            message = unmatched(unmatched.getUnmatched().get(0), e.getCommandLine().getCommandSpec());
        }
        err.println("mjpeg-server: " + message + " (see --help)");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** An argument no option takes, and the option nearest it (picocli's own words list every word left over). */
    private static String unmatched(String arg, CommandSpec spec) {
        if (!arg.startsWith("-")) {
            return "unknown argument '" + arg + "'";
        }
        String name = arg.replaceFirst("=.*", "");
        List<String> names = spec.options().stream().map(OptionSpec::longestName).toList();
        String nearest = Nearest.of(name, names);
        return "unknown option '" + name + "'" + (nearest == null ? "" : ": did you mean " + nearest + "?");
    }

    /** The first option given more than once in {@code args}, or null. */
    private static String repeatedOption(CommandLine cli, String[] args) {
        Set<String> seen = new HashSet<>();
        for (String arg : args) {
            OptionSpec option = cli.getCommandSpec().findOption(arg.replaceFirst("=.*", ""));
            if (option != null && !seen.add(option.longestName())) {
                return option.longestName();
            }
        }
        return null;
    }

    /**
     * The feeds to serve: the file's with {@code --config}, else the single source's, named
     * {@link FeedConfig#DEFAULT_NAME}.
     *
     * @throws CommandLine.ParameterException when {@code --config} comes with a source or a feed's flag
     */
    List<FeedConfig> feeds() throws ConfigException {
        if (given("mirror-max-feeds") && !given("mirror")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mirror-max-feeds is for an edge"
                    + " (expected: --mirror URL --mirror-max-feeds N)");
        }
        if (config == null) {
            return List.of(feed.feed());
        }
        if (given("mirror")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mirror cannot be used with --config: an edge"
                    + " serves its origin's feeds (expected: --mirror URL with server-wide flags, or --config FILE)");
        }
        for (String key : ConfigFile.FEED_KEYS) {
            if (given(key)) {
                String what = ConfigFile.SOURCE_KEYS.contains(key) ? "the config file defines the feeds and their sources"
                        : "each feed's " + key + " is set in the config file";
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + key + " cannot be used with --config: "
                        + what + " (expected: " + key + ": under a feed in " + config + ", or no --config)");
            }
        }
        return configFile().feeds();
    }

    /** The file {@code --config} names, read once; null without {@code --config}. */
    private ConfigFile configFile() throws ConfigException {
        if (config != null && configFile == null) {
            configFile = ConfigFile.read(config, spec);
        }
        return configFile;
    }

    /** Whether {@code --key} is on the command line. */
    private boolean given(String key) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption("--" + key);
    }

    /** A server-wide setting: the flag's value when given, else the config file's when it has one, else the flag's default. */
    private <T> T setting(String key, T fromFlag) throws ConfigException {
        ConfigFile file = configFile();
        if (file == null || given(key) || !file.settings().containsKey(key)) {
            return fromFlag;
        }
        @SuppressWarnings("unchecked")
        T fromFile = (T) file.settings().get(key);
        return fromFile;
    }

    /** The server-wide settings, from the flags and the config file: without the feeds, on TCP. */
    ServerConfig serverConfig() throws StartupException, ConfigException {
        return settings().build();
    }

    private ServerConfig.Builder settings() throws StartupException, ConfigException {
        return ServerConfig.builder().host(setting("host", host)).port(setting("port", port))
                .boundary(setting("boundary", boundary))
                .clientTimeout(setting("client-timeout", clientTimeout))
                .sendBuffer(setting("send-buffer", sendBufferKib) * 1024)
                .maxClients(setting("max-clients", maxClients))
                .maxClientsPerAddress(setting("max-clients-per-address", maxClientsPerAddress))
                .maxConnectionRate(setting("max-connection-rate", maxConnectionRate))
                .requestTimeout(setting("request-timeout", requestTimeout))
                .credentials(credentials())
                .tls(tls())
                .allowOrigin(setting("allow-origin", allowOrigin));
    }

    /**
     * Where to listen: the socket systemd passed, over {@code --host}, {@code --port} and {@code --unix}; else
     * {@code --unix}; else TCP. A ConfigException for an unusable passed socket, {@code --unix-mode} without
     * {@code --unix}, or a per-address limit on clients with no address.
     */
    ListenSocket listenSocket() throws ConfigException {
        Path path = setting("unix", unix);
        Converters.FileMode mode = setting("unix-mode", unixMode);
        if (mode != null && path == null) {
            throw new ConfigException("unix-mode: the permissions of a socket file, but there is none (expected: with"
                    + " --unix PATH, or unix: in the config file)");
        }
        if (path != null && path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_UNIX_PATH) {
            throw new ConfigException("unix: " + path + " is " + path.toString().getBytes(StandardCharsets.UTF_8).length
                    + " bytes long (expected: at most " + MAX_UNIX_PATH + ", the most a unix socket's path may be, such as"
                    + " /run/mjpeg-server/http.sock)");
        }
        ListenSocket passed = SocketActivation.passed(environment, ProcessHandle.current().pid());
        ListenSocket listen = passed != null ? passed
                : path != null ? new ListenSocket.Unix(path, mode == null ? null : mode.permissions())
                : ListenSocket.TCP;
        int perAddress = setting("max-clients-per-address", maxClientsPerAddress);
        if (listen.unixDomain() && perAddress > 0) {
            throw new ConfigException("max-clients-per-address: " + perAddress + " cannot apply on a unix socket, whose"
                    + " clients have no address (expected: 0, and the limit set in the proxy in front, such as nginx's"
                    + " limit_conn)");
        }
        return listen;
    }

    /** {@code --exit-on-source-loss}, or the config file's {@code exit-on-source-loss}. */
    boolean exitOnSourceLoss() throws ConfigException {
        return setting("exit-on-source-loss", exitOnSourceLoss);
    }

    /** {@code --log-level}, or the config file's {@code log-level}: validated here, applied by {@link Main}. */
    String logLevel() throws ConfigException {
        return setting("log-level", logLevel);
    }

    /** From the flags when either is given, else from the config file. */
    private TlsFiles tls() throws ConfigException {
        if (tls != null) {
            return new TlsFiles(tls.certificate, tls.key);
        }
        ConfigFile file = configFile();
        if (file != null && file.settings().containsKey("tls-cert")) {
            return new TlsFiles((Path) file.settings().get("tls-cert"), (Path) file.settings().get("tls-key"));
        }
        return null;
    }

    /**
     * From {@code --auth}, {@code --auth-file}, {@code MJPEG_SERVER_AUTH}, or the config file's {@code auth} or
     * {@code auth-file}, the first there; no message ever quotes the password.
     */
    private Credentials credentials() throws StartupException, ConfigException {
        if (auth != null && auth.credentials != null) {
            return auth.credentials;
        }
        if (auth != null && auth.file != null) {
            return fromAuthFile("--auth-file", auth.file);
        }
        String fromEnvironment = environment.get("MJPEG_SERVER_AUTH");
        try {
            if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
                return Credentials.parse(fromEnvironment);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "MJPEG_SERVER_AUTH: " + e.getMessage());
        }
        ConfigFile file = configFile();
        if (file != null && file.settings().containsKey("auth-file")) {
            return fromAuthFile(config + ": auth-file", (Path) file.settings().get("auth-file"));
        }
        return file == null ? null : (Credentials) file.settings().get("auth");
    }

    /** @param what how messages name the setting that gave {@code path} */
    private static Credentials fromAuthFile(String what, Path path) throws StartupException {
        try {
            return Credentials.parse(AuthFile.firstLine(what, path));
        } catch (IllegalArgumentException e) {
            throw new StartupException(what + " " + path + ": " + e.getMessage().replace("the value", "its first line"), e);
        }
    }

    @Override
    public Integer call() {
        if (listDevices) {
            return listDevices(spec.commandLine().getOut());
        }
        PrintWriter err = spec.commandLine().getErr();
        MjpegServer running;
        ServerConfig serverConfig = null;
        boolean exitOnLoss;
        try {
            MirrorConfig mirror = feed.mirror();
            List<FeedConfig> feeds = mirror != null ? feeds() : budgeted(feeds());
            // OpenCV's natives load on the other core while the server is set up (launch to first frame is shorter),
            // but only for a feed that encodes: a pass-through feed loads them if it ever draws NO SIGNAL. Main has
            // started them already for a feed given by flags; this is for a config file's.
            if (mirror == null && mayEncode(feeds)) {
                Natives.preloadInBackground();
            }
            ListenSocket listen = listenSocket();
            ServerConfig.Builder settings = settings().socket(listen);
            serverConfig = (mirror != null ? settings.mirror(mirror) : settings.feeds(feeds)).build();
            exitOnLoss = exitOnSourceLoss();
            running = MjpegServer.start(serverConfig);
        } catch (ConfigException e) {
            err.println("mjpeg-server: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        } catch (StartupException e) {
            String words = serverConfig == null ? e.getMessage()
                    : StartFailures.describe(e, serverConfig.listening().host(), serverConfig.listening().port());
            // A control the camera lacks is a bad flag or key, found only once the camera is open.
            boolean badSetting = e.getCause() instanceof SourceException s && s.badSetting();
            err.println("mjpeg-server: " + (e.feed() != null && configFile != null
                    ? configFile.atSourceKey(e.feed(), words, badSetting, spec) : words));
            err.flush();
            return badSetting ? CommandLine.ExitCode.USAGE : 1;
        } catch (IllegalArgumentException e) {
            err.println("mjpeg-server: " + e.getMessage());
            err.flush();
            return 1;
        }
        server = running;
        if (exitOnLoss) {
            running.onSourceLoss(reason -> {
                LoggerFactory.getLogger(ServeCommand.class).error("source lost ({}): exiting, as --exit-on-source-loss asks", reason);
                stop(EXIT_SOURCE_LOST);
            });
        }
        // SIGTERM and SIGINT stop the server cleanly and exit 0; the hook covers any other way the JVM ends.
        Signals.onTerminate(() -> stop(0));
        Thread hook = new Thread(running::close, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        started.countDown();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already on its way out; the hook has closed the server too.
        }
        return exitStatus.get();
    }

    /** {@code feeds} with their memory budgets, which must fit the JVM's direct memory together. */
    private static List<FeedConfig> budgeted(List<FeedConfig> feeds) throws ConfigException {
        try {
            return MemoryBudgets.resolve(feeds, MemoryBudgets.maxDirectMemory());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static boolean mayEncode(List<FeedConfig> feeds) {
        for (FeedConfig f : feeds) {
            if (Natives.mayEncode(f.capture().source())) {
                return true;
            }
        }
        return false;
    }

    /** {@code --list-devices}: the cameras, or a line saying there are none; exit status 0 either way. */
    private static int listDevices(PrintWriter out) {
        List<String> lines = CameraList.lines();
        if (lines.isEmpty()) {
            out.println("no camera found (looked at /dev/video0 to /dev/video" + CameraList.MAX_INDEX + ")");
        }
        lines.forEach(out::println);
        out.flush();
        return 0;
    }

    /** Ends {@link #call()} with {@code status}; the first caller's status wins. Never blocks. */
    void stop(int status) {
        if (stop.getCount() > 0) {
            exitStatus.compareAndSet(0, status);
            stop.countDown();
        }
    }

    /** Stops a server started by {@link #call()} in-process (tests). */
    void stop() {
        stop(0);
    }
}
