package io.mjpegserver.server.cli;

import io.mjpegserver.capture.source.Natives;
import io.mjpegserver.server.config.NamedFile;
import java.nio.file.Path;
import java.util.Locale;

/** {@code java -jar mjpeg-server.jar [options]}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        String level = logLevel(args);
        if (level != null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.toLowerCase(Locale.ROOT));
        }
        // Before any JavaCV class loads: JavaCPP reads its cache directory once.
        NativeCache.locate(System.getenv());
        // A feed that encodes has OpenCV's natives loaded on the other core while the flags are read and the server
        // is set up, for a quicker first frame; a config file's feeds are judged once it is read.
        if (!isHelpOrVersion(args) && encodes(args)) {
            Natives.preloadInBackground();
        }
        System.exit(ServeCommand.commandLine(new ServeCommand()).execute(args));
    }

    private static boolean isHelpOrVersion(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h") || arg.equals("--version") || arg.equals("-V")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the feed of the flags {@code args} will encode ({@link Natives#mayEncode}), told before picocli reads
     * them: the test pattern or an RTSP stream; not a camera or a file (known only once opened), an HTTP relay, an
     * edge's feeds, or the feeds of a config file, not read yet. A wrong command line only loads them for nothing
     * before it is refused.
     */
    static boolean encodes(String[] args) {
        String url = flag(args, "--url");
        if (url != null) {
            return url.regionMatches(true, 0, "rtsp:", 0, 5);
        }
        for (String arg : args) {
            if (arg.equals("--test-pattern")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The log level asked for, or null. slf4j-simple reads its level once, when the first logger is made, and
     * parsing the flags may already load classes that log: so {@code --log-level} (or the config file's
     * {@code log-level}, which the flag overrides) is applied before anything else. picocli and the config
     * file's reading validate it after.
     */
    static String logLevel(String[] args) {
        String level = flag(args, "--log-level");
        String config = flag(args, "--config");
        return level == null && config != null ? fileLogLevel(config) : level;
    }

    /** The value of the last {@code flag VALUE} or {@code flag=VALUE} in {@code args}, or null. */
    private static String flag(String[] args, String flag) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag) && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith(flag + "=")) {
                value = args[i].substring(flag.length() + 1);
            }
        }
        return value;
    }

    /** The top-level {@code log-level} of the config file, or null, whatever is wrong with the file (reported later). */
    private static String fileLogLevel(String config) {
        try {
            if (ConfigDocument.read(config, NamedFile.read("--config", Path.of(config))) instanceof ConfigDocument.Mapping top) {
                for (ConfigDocument.Entry entry : top.entries()) {
                    if (entry.key().equals("log-level") && entry.value() instanceof ConfigDocument.Scalar scalar) {
                        return scalar.text().strip();
                    }
                }
            }
        } catch (Exception e) {
            // The command reads the file again and says what is wrong with it.
        }
        return null;
    }
}
