package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mjpegserver.server.MjpegServer;
import io.mjpegserver.server.cli.ServeCommandTest.Run;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The real command run in-process on a thread of its own, as {@link ServeCommandTest#run} runs it; closing stops it. */
final class Serving implements AutoCloseable {

    final ServeCommand command;
    private final String args;
    private final ExecutorService main = Executors.newSingleThreadExecutor();
    private final Future<Run> run;

    private Serving(ServeCommand command, String... args) {
        this.command = command;
        this.args = String.join(" ", args);
        this.run = main.submit(() -> ServeCommandTest.run(command, args));
    }

    /** The command with no environment, on {@code args}. */
    static Serving start(String... args) {
        return start(new ServeCommand(Map.of()), args);
    }

    static Serving start(ServeCommand command, String... args) {
        return new Serving(command, args);
    }

    /** The server, once up; the test fails if the command ends first or takes over 20 s. */
    MjpegServer awaitStarted() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!command.started.await(50, TimeUnit.MILLISECONDS)) {
            if (run.isDone()) {
                fail("ended instead of starting with " + args + ": " + run.get().err());
            }
            assertTrue(System.nanoTime() < deadline, "started within 20 s: " + args);
        }
        return command.server;
    }

    /** The run of a command that must refuse to start: one that serves instead fails the test. */
    Run refused() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!run.isDone()) {
            if (command.started.await(50, TimeUnit.MILLISECONDS)) {
                fail("started with " + args + " instead of refusing");
            }
            assertTrue(System.nanoTime() < deadline, "ended within 30 s: " + args);
        }
        return run.get();
    }

    /** The run of a command that ends by itself within {@code limit}. */
    Run ended(Duration limit) throws Exception {
        try {
            return run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("still running after " + limit.toSeconds() + " s: " + args, e);
        }
    }

    /** Stops the server: the command's run, which must end within 10 s. */
    Run stop() throws Exception {
        command.stop();
        return ended(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        command.stop();
        main.shutdownNow();
    }
}
