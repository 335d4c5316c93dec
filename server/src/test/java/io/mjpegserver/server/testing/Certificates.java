package io.mjpegserver.server.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Self-signed certificates and keys made by {@code openssl}, for the tests that serve or relay HTTPS. */
public final class Certificates {

    private Certificates() {
    }

    /** Runs {@code openssl args...} in {@code dir}; it must succeed within a minute. */
    public static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Programs.require("openssl", "openssl").toString()));
        command.addAll(List.of(args));
        ChildProcess.run(dir, "openssl", Duration.ofSeconds(60), command).assertExit(0);
    }

    /** An RSA 2048 certificate for {@code CN=cn}, valid two days: {@code cert} and its unencrypted {@code key} in {@code dir}. */
    public static void rsa(Path dir, String cert, String key, String cn) throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=" + cn);
    }

    /** As {@link #rsa}, with a P-256 EC key. */
    public static void ec(Path dir, String cert, String key, String cn) throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                "-out", cert, "-days", "2", "-subj", "/CN=" + cn);
    }
}
