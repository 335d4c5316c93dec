package io.mjpegserver.server.cli;

import picocli.CommandLine;

/** {@code java -jar mjpeg-server.jar [options]}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(ServeCommand.commandLine(new ServeCommand()).execute(args));
    }
}
