package io.mjpegserver.server.cli;

import java.util.Locale;

/** {@code java -jar mjpeg-server.jar [options]}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        logLevel(args);
        // Before any JavaCV class loads: JavaCPP reads its cache directory once.
        NativeCache.locate(System.getenv());
        System.exit(ServeCommand.commandLine(new ServeCommand()).execute(args));
    }

    /**
     * slf4j-simple reads its level once, when the first logger is made, and parsing the flags may already load
     * classes that log: so {@code --log-level} is applied before anything else. picocli validates it after.
     */
    private static void logLevel(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String level = null;
            if (args[i].equals("--log-level") && i + 1 < args.length) {
                level = args[i + 1];
            } else if (args[i].startsWith("--log-level=")) {
                level = args[i].substring("--log-level=".length());
            }
            if (level != null) {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.toLowerCase(Locale.ROOT));
            }
        }
    }
}
