package io.mjpegserver.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The one place that decides what a missing real client means. In CI (environment variable {@code CI} set, and
 * not {@code false}) it is a failure: a compatibility claim nobody checked does not count. Elsewhere the test
 * is skipped, with a message naming the Debian package to install.
 */
public final class Programs {

    /** The unprivileged user VLC runs as when the tests run as root (VLC refuses root). */
    public static final String VLC_USER = "vlcuser";

    private Programs() {
    }

    /** The absolute path of {@code program} on the PATH; fails in CI or skips elsewhere when it is missing. */
    public static Path require(String program, String debianPackage) {
        return find(program).orElseGet(() -> missing(program + " is not installed",
                "apt-get install -y " + debianPackage + " (Debian package '" + debianPackage + "')"));
    }

    /** True when this JVM runs as root, so that programs refusing root must run as {@link #VLC_USER}. */
    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** As root, makes sure {@link #VLC_USER} exists (run-tests.sh creates it); fails in CI or skips elsewhere. */
    public static void requireVlcUser() throws IOException, InterruptedException {
        if (!runningAsRoot()) {
            return;
        }
        Process id = new ProcessBuilder(require("id", "coreutils").toString(), VLC_USER)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        boolean ended = id.waitFor(10, TimeUnit.SECONDS);
        if (!ended) {
            id.destroyForcibly();
        }
        if (!ended || id.exitValue() != 0) {
            missing("user " + VLC_USER + " does not exist (VLC refuses to run as root)", "useradd -m " + VLC_USER);
        }
    }

    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }

    private static Path missing(String what, String fix) {
        if (inCi()) {
            fail(what + ": CI must run every interop test; fix the CI image: " + fix);
        }
        Assumptions.abort("SKIPPED, " + what + ": to run this test, " + fix);
        throw new AssertionError("unreachable");
    }

    private static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
