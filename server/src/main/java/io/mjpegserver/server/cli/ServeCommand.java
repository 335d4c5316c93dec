package io.mjpegserver.server.cli;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.ServerConfig;
import io.mjpegserver.server.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: flags in, validated config records out, then the server until SIGINT or SIGTERM. */
@Command(name = "mjpeg-server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Captures one video source once, encodes it once, and streams it as MJPEG"
                + " (multipart/x-mixed-replace) to any number of clients.",
        footer = {"", "Endpoints: /  /stream (/stream.mjpg, /?action=stream)  /snapshot (/snapshot.jpg, /?action=snapshot)"})
public final class ServeCommand implements Callable<Integer> {

    /** Exactly one source; the camera is the default. */
    static final class Source {
        @Option(names = "--device", paramLabel = "N", converter = Converters.DeviceIndex.class,
                description = "Camera /dev/videoN (V4L2). Default: 0.")
        Integer device;

        @Option(names = "--file", paramLabel = "PATH", description = "Video file to stream, looped forever.")
        Path file;

        @Option(names = "--test-pattern", description = "Built-in moving test pattern; needs no camera.")
        boolean testPattern;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", converter = Converters.Port.class,
            description = "TCP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--fps", paramLabel = "FPS", converter = Converters.Fps.class,
            description = "Frames per second. Default: 30 (a file: its own rate).")
    Double fps;

    @Option(names = "--size", paramLabel = "WxH", converter = Converters.Size.class,
            description = "Frame size. Default: 1280x720 (a file: its own size).")
    VideoSize size;

    @Option(names = "--quality", paramLabel = "Q", defaultValue = "80", converter = Converters.Quality.class,
            description = "JPEG quality, 1-100. Default: ${DEFAULT-VALUE}.")
    int quality;

    @Option(names = "--boundary", paramLabel = "TEXT", defaultValue = "boundarydonotcross", converter = Converters.Boundary.class,
            description = "Multipart boundary, 16-60 letters or digits. Default: ${DEFAULT-VALUE} (as mjpg-streamer).")
    String boundary;

    @Option(names = "--client-timeout", paramLabel = "SECONDS", defaultValue = "10", converter = Converters.Seconds.class,
            description = "Close a stream client whose socket stays full this long. Default: ${DEFAULT-VALUE}.")
    Duration clientTimeout;

    @Option(names = "--send-buffer", paramLabel = "KIB", defaultValue = "512", converter = Converters.SendBuffer.class,
            description = "Kernel send buffer per client in KiB; 0 lets the kernel grow it (a slow client then lags"
                    + " seconds behind instead of skipping to fresh frames). Default: ${DEFAULT-VALUE}.")
    int sendBufferKib;

    @Option(names = "--ring-size", paramLabel = "N", defaultValue = "4", converter = Converters.RingSize.class,
            description = "Newest frames kept in memory, 2-64. Default: ${DEFAULT-VALUE}.")
    int ringSize;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Counted down when the server is up: lets tests run the real command in-process. */
    final CountDownLatch started = new CountDownLatch(1);
    volatile MjpegServer server;
    private final CountDownLatch stop = new CountDownLatch(1);

    /** A configured command line: one-line errors, exit status 2 for a bad flag. */
    static CommandLine commandLine(ServeCommand command) {
        CommandLine cli = new CommandLine(command);
        cli.setParameterExceptionHandler(ServeCommand::badFlag);
        return cli;
    }

    private static int badFlag(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("mjpeg-server: " + e.getMessage() + " (see --help)");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    CaptureConfig captureConfig() {
        SourceSpec spec;
        if (source != null && source.testPattern) {
            spec = new SourceSpec.TestPattern();
        } else if (source != null && source.file != null) {
            spec = new SourceSpec.VideoFile(source.file);
        } else {
            spec = new SourceSpec.Camera(source != null && source.device != null ? source.device : 0);
        }
        boolean file = spec instanceof SourceSpec.VideoFile;
        VideoSize chosenSize = size != null ? size : (file ? null : CaptureConfig.DEFAULT_SIZE);
        double chosenFps = fps != null ? fps : (file ? 0 : CaptureConfig.DEFAULT_FPS);
        return new CaptureConfig(spec, chosenSize, chosenFps, quality, ringSize);
    }

    ServerConfig serverConfig() {
        return ServerConfig.defaults().withHost(host).withPort(port).withBoundary(boundary).withClientTimeout(clientTimeout)
                .withSendBuffer(sendBufferKib * 1024);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        MjpegServer running;
        try {
            running = MjpegServer.start(serverConfig(), captureConfig());
        } catch (StartupException | IllegalArgumentException e) {
            err.println("mjpeg-server: " + e.getMessage());
            err.flush();
            return 1;
        }
        server = running;
        Thread hook = new Thread(() -> {
            running.close();
            stop.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        started.countDown();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Stopped by the hook itself: nothing to remove.
        }
        return 0;
    }

    /** Stops a server started by {@link #call()} in-process (tests). */
    void stop() {
        MjpegServer running = server;
        if (running != null) {
            running.close();
        }
        stop.countDown();
    }
}
