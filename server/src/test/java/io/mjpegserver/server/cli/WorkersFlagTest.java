package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --workers}: anything but auto or 1 to 32 is one line and status 2 (the config file's key: ConfigFileTest). */
class WorkersFlagTest {

    @Test
    void badWorkersAreOneLineAndStatusTwo() {
        for (String bad : List.of("0", "33", "-1", "two", "", "2.5")) {
            ServeCommandTest.Run run = ServeCommandTest.run("--test-pattern", "--workers", bad);
            assertEquals(2, run.exit(), run.err());
            assertEquals("mjpeg-server: Invalid value for option '--workers': '" + bad
                    + "' (expected: auto, or 1 to 32 threads) (see --help)", run.errLine());
        }
    }

    @Test
    void autoAndANumberAreTaken() {
        for (String good : List.of("auto", "AUTO", "1", "32")) {
            ServeCommand command = new ServeCommand(Map.of());
            ServeCommand.commandLine(command).parseArgs("--test-pattern", "--workers", good);
            int expected = good.equalsIgnoreCase("auto") ? 0 : Integer.parseInt(good);
            assertEquals(expected, ServeCommandTest.feeds(command).get(0).options().workers(), good);
        }
    }
}
