package io.mjpegserver.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs a real program with a hard time limit; output goes to a file so a chatty child never blocks. */
public final class Processes {

    /** Exit status and everything the program printed. */
    public record Result(int exit, String output) {
    }

    private Processes() {
    }

    /**
     * A program this test needs: in CI (env CI set) its absence fails the test; elsewhere the test is
     * skipped, naming the Debian package to install.
     */
    public static void require(String program, String debianPackage) {
        boolean found = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
        if (!found) {
            String why = program + " is not installed: apt-get install " + debianPackage;
            if (System.getenv("CI") != null) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    public static Result run(Duration limit, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("proc", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail(command.get(0) + " did not finish within " + limit + ":\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** For {@link #run}: a time limit. */
    public record Duration(long millis) {
        public static Duration ofSeconds(long seconds) {
            return new Duration(seconds * 1000);
        }

        long toMillis() {
            return millis;
        }
    }
}
