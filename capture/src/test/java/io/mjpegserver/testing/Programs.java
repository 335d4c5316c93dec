package io.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What a missing real program means to capture's interop tests, as the server's {@code Programs} decides it: in
 * CI (environment variable {@code CI} set and not {@code false}) a failure, elsewhere a skip naming the Debian
 * package to install.
 */
public final class Programs {

    private Programs() {
    }

    /** The absolute path of {@code program} on the PATH; fails in CI or skips elsewhere when it is missing. */
    public static Path require(String program, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        String what = program + " is not installed";
        String fix = "apt-get install -y " + debianPackage + " (Debian package '" + debianPackage + "')";
        if (inCi()) {
            fail(what + ": CI must run every interop test; fix the CI image: " + fix);
        }
        Assumptions.abort("SKIPPED, " + what + ": to run this test, " + fix);
        throw new AssertionError("unreachable");
    }

    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }
}
