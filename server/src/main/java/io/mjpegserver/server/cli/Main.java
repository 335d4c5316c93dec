package io.mjpegserver.server.cli;

import java.nio.file.Files;
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
        System.exit(ServeCommand.commandLine(new ServeCommand()).execute(args));
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
            if (ConfigDocument.read(config, Files.readAllBytes(Path.of(config))) instanceof ConfigDocument.Mapping top) {
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
