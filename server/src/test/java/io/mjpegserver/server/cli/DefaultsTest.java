package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.server.config.FeedConfig;
import io.mjpegserver.server.config.MirrorConfig;
import io.mjpegserver.server.config.ServerConfig;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** The flags default to the config records, and {@code --help} shows a default for exactly the flags that have one. */
class DefaultsTest {

    private static ServeCommand parsed(String... args) {
        ServeCommand command = new ServeCommand(Map.of());
        ServeCommand.commandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void theFlagsDefaultToTheRecordsButTheConnectionRate() throws Exception {
        ServeCommand command = parsed("--test-pattern");
        assertEquals(ServerConfig.builder().maxConnectionRate(Defaults.MAX_CONNECTION_RATE).build(), command.serverConfig());
        assertEquals(List.of(new FeedConfig(FeedConfig.DEFAULT_NAME, CaptureConfig.testPattern(), CaptureOptions.DEFAULTS)),
                command.feeds());
        assertEquals(RelayOptions.DEFAULTS, parsed("--url", "https://192.168.1.10/video.mjpg").feeds().get(0).relay());
        assertEquals(MirrorConfig.DEFAULT_MAX_FEEDS, parsed("--mirror", "http://origin:8080").feed.mirror().maxFeeds());
    }

    @Test
    void everyDefaultShownInTheHelpHasAValueAndEveryValueItsFlag() {
        Set<String> shown = new TreeSet<>();
        for (OptionSpec option : ServeCommand.commandLine(new ServeCommand(Map.of())).getCommandSpec().options()) {
            // The description as written: picocli's description() has the variable replaced.
            Option written = ((Field) option.userObject()).getAnnotation(Option.class);
            if (String.join(" ", written.description()).contains("${DEFAULT-VALUE}")) {
                shown.add(option.longestName().substring(2));
            }
        }
        Set<String> given = new TreeSet<>();
        Defaults.keys().forEach(given::add);
        assertEquals(shown, given);
    }
}
