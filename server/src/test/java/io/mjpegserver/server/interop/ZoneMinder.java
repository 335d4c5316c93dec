package io.mjpegserver.server.interop;

import io.mjpegserver.server.testing.ChildProcess;
import io.mjpegserver.server.testing.Http;
import io.mjpegserver.server.testing.Programs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's ZoneMinder 1.36 without Apache, PHP or systemd: MariaDB by its init script (stopped again if started
 * here), the schema and the user of {@code /etc/zm/zm.conf}, a {@code Monitors} row a monitor, {@code zmc -m ID}
 * as {@code www-data}. What it captured is read back from ZoneMinder: {@code zmu -i} writes the last image from
 * its shared memory, and zmc logs its image count and rate into the {@code Logs} table about once a second.
 */
final class ZoneMinder implements AutoCloseable {

    private static final Path CONF = Path.of("/etc/zm/zm.conf");
    private static final Path SCHEMA = Path.of("/usr/share/zoneminder/db/zm_create.sql");
    private static final Path MARIADB = Path.of("/etc/init.d/mariadb");
    private static final String USER = "www-data";
    private static final Duration COMMAND = Duration.ofSeconds(60);
    /** The monitors this class creates are named so; rows and logs left by an earlier run are removed by name. */
    private static final String PREFIX = "mjpegtest";
    /** {@code NAME: COUNT - Capturing at FPS fps, ...}: zmc's report every FPSReportInterval images. */
    private static final Pattern REPORT = Pattern.compile(": (\\d+) - Capturing at ([0-9.]+) fps");

    private final Path dir;
    private final Path mysql;
    private final Path zmc;
    private final Path zmu;
    private final Path runuser;
    private final AtomicInteger runs = new AtomicInteger();
    private final Map<Integer, ChildProcess> captures = new LinkedHashMap<>();
    private boolean startedMariaDb;

    private ZoneMinder(Path dir) {
        this.dir = dir;
        zmc = Programs.require("zmc", "zoneminder");
        zmu = Programs.require("zmu", "zoneminder");
        mysql = Programs.require("mysql", "mariadb-client");
        runuser = Programs.require("runuser", "util-linux");
    }

    /** ZoneMinder's database ready for monitors; skips the test unless it runs as root (it sets the machine up). */
    static ZoneMinder start(Path dir) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Programs.runningAsRoot(),
                "SKIPPED, ZoneMinder needs root: the test starts MariaDB, loads ZoneMinder's schema and runs zmc as "
                        + USER);
        ZoneMinder zm = new ZoneMinder(dir);
        try {
            zm.prepare();
            return zm;
        } catch (Exception | Error e) {
            zm.close();
            throw e;
        }
    }

    private void prepare() throws IOException, InterruptedException {
        if (!Files.isExecutable(MARIADB)) {
            Programs.require("mariadbd", "mariadb-server");
        }
        if (!databaseAnswers()) {
            startedMariaDb = true;
            run("mariadb-start", List.of(MARIADB.toString(), "start")).assertExit(0);
            if (!Http.eventually(Duration.ofSeconds(30), this::databaseAnswers)) {
                throw new AssertionError("MariaDB does not answer after " + MARIADB + " start");
            }
        }
        Map<String, String> conf = readConf();
        String name = conf.getOrDefault("ZM_DB_NAME", "zm");
        if (sql("mysql", "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '" + name
                + "' AND table_name = 'Monitors'").equals("0")) {
            sql("mysql", "SOURCE " + SCHEMA);
        }
        String account = "'" + conf.get("ZM_DB_USER") + "'@'localhost'";
        sql(name, "CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" + conf.get("ZM_DB_PASS") + "'; "
                + "GRANT ALL ON " + name + ".* TO " + account);
        // The package installs zm.conf readable by root only; zmc as www-data would exit 255 without a word.
        run("chgrp-conf", List.of("chgrp", USER, CONF.toString())).assertExit(0);
        run("chmod-conf", List.of("chmod", "640", CONF.toString())).assertExit(0);
        for (String key : List.of("ZM_PATH_SOCKS", "ZM_PATH_LOGS", "ZM_PATH_SWAP", "ZM_DIR_EVENTS")) {
            String path = conf.get(key);
            if (path != null && path.startsWith("/")) {
                Files.createDirectories(Path.of(path));
                run("chown-" + key, List.of("chown", USER + ":" + USER, path)).assertExit(0);
            }
        }
        removeMonitors();
    }

    /** The settings of zm.conf and conf.d/*.conf, later files overriding earlier ones, quotes removed. */
    private Map<String, String> readConf() throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>(List.of(CONF));
        Path confD = CONF.resolveSibling("conf.d");
        if (Files.isDirectory(confD)) {
            try (var listing = Files.list(confD)) {
                listing.filter(p -> p.toString().endsWith(".conf")).sorted().forEach(files::add);
            }
        }
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                int equals = line.indexOf('=');
                if (!line.startsWith("#") && equals > 0) {
                    conf.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip().replace("\"", ""));
                }
            }
        }
        return conf;
    }

    /**
     * Adds a monitor of {@code type} ({@code Remote} or {@code Ffmpeg}) that captures ({@code Function}
     * {@code Monitor}) at {@code width}x{@code height} in 32-bit colour; {@code source} holds the type's own
     * columns (Protocol, Method, Host, Port, Path). zmc reports its image count every 10 images (its default, 250,
     * would leave a 20 s watch with one or two reports).
     */
    void addMonitor(int id, String type, int width, int height, Map<String, String> source)
            throws IOException, InterruptedException {
        StringBuilder columns = new StringBuilder("Id, Name, Type, `Function`, Enabled, Width, Height, Colours, FPSReportInterval");
        StringBuilder values = new StringBuilder(id + ", '" + name(id) + "', '" + type + "', 'Monitor', 1, " + width
                + ", " + height + ", 4, 10");
        for (Map.Entry<String, String> column : source.entrySet()) {
            columns.append(", ").append(column.getKey());
            values.append(", '").append(column.getValue()).append("'");
        }
        sql("zm", "INSERT INTO Monitors (" + columns + ") VALUES (" + values + ")");
    }

    /** Starts the capture daemon of monitor {@code id}, as ZoneMinder's zmdc would, as {@code www-data}. */
    void capture(int id) throws IOException {
        captures.put(id, ChildProcess.start(dir, "zmc-m" + id,
                List.of(runuser.toString(), "-u", USER, "--", zmc.toString(), "-m", String.valueOf(id))));
    }

    /** Whether the capture daemon of {@code id} still runs. */
    boolean capturing(int id) {
        ChildProcess process = captures.get(id);
        return process != null && process.isAlive();
    }

    /** The last image monitor {@code id} captured, as {@code zmu -i} writes it from ZoneMinder's shared memory. */
    byte[] lastImage(int id) throws IOException, InterruptedException {
        Path out = Files.createTempDirectory(dir, "zmu");
        ChildProcess.Outcome run = ChildProcess.run(out, "zmu", COMMAND,
                List.of(zmu.toString(), "-m", String.valueOf(id), "-i"));
        run.assertExit(0);
        Path image = out.resolve("Monitor" + id + ".jpg");
        if (!Files.isRegularFile(image)) {
            throw new AssertionError("zmu -m " + id + " -i wrote no " + image.getFileName() + "\n" + run.describe());
        }
        return Files.readAllBytes(image);
    }

    /** A line zmc logged about its capture: when, how many images so far, and the rate it computed. */
    record Report(double time, long images, double fps) {
    }

    /** zmc's capture reports for {@code id} so far, oldest first. */
    List<Report> reports(int id) throws IOException, InterruptedException {
        List<Report> reports = new ArrayList<>();
        for (String row : lines(sql("zm", "SELECT TimeKey, Message FROM Logs WHERE Component = 'zmc_m" + id
                + "' ORDER BY Id"))) {
            String[] fields = row.split("\t", 2);
            Matcher report = REPORT.matcher(fields.length == 2 ? fields[1] : "");
            if (report.find()) {
                reports.add(new Report(Double.parseDouble(fields[0]), Long.parseLong(report.group(1)),
                        Double.parseDouble(report.group(2))));
            }
        }
        return reports;
    }

    /** Everything zmc logged for {@code id} at warning level or worse (ZoneMinder's levels: 0 info, -1 warning...). */
    List<String> problems(int id) throws IOException, InterruptedException {
        return lines(sql("zm", "SELECT Level, Message FROM Logs WHERE Component = 'zmc_m" + id
                + "' AND Level < 0 ORDER BY Id"));
    }

    /** Everything zmc logged for {@code id}, for failure messages. */
    String log(int id) {
        try {
            return "zmc's log:\n" + sql("zm", "SELECT TimeKey, Level, Message FROM Logs WHERE Component = 'zmc_m" + id
                    + "' ORDER BY Id") + "\n" + Files.readString(dir.resolve("zmc-m" + id + ".err"));
        } catch (IOException | AssertionError e) {
            return "zmc's log unreadable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "zmc's log unread: interrupted";
        }
    }

    private static String name(int id) {
        return PREFIX + id;
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private boolean databaseAnswers() {
        try {
            return run("mysql-ping", List.of(mysql.toString(), "-N", "-B", "-e", "SELECT 1")).exitCode() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code statements} as the database's root (unix socket authentication) in {@code database}. */
    private String sql(String database, String statements) throws IOException, InterruptedException {
        return run("mysql", List.of(mysql.toString(), "-N", "-B", "-e", statements, database)).assertExit(0).out().strip();
    }

    private ChildProcess.Outcome run(String name, List<String> command) throws IOException, InterruptedException {
        return ChildProcess.run(dir, name + "-" + runs.incrementAndGet(), COMMAND, command);
    }

    /** Removes this class's monitors, their logs and their shared memory (zmc, killed, leaves it behind). */
    private void removeMonitors() throws IOException, InterruptedException {
        List<String> ids = lines(sql("zm", "SELECT Id FROM Monitors WHERE Name LIKE '" + PREFIX + "%'"));
        for (String id : ids) {
            Files.deleteIfExists(Path.of("/dev/shm/zm.mmap." + id));
            sql("zm", "DELETE FROM Logs WHERE Component = 'zmc_m" + id + "'");
        }
        sql("zm", "DELETE FROM Monitors WHERE Name LIKE '" + PREFIX + "%'");
    }

    /** Stops every zmc, removes the monitors, and stops MariaDB if this started it. */
    @Override
    public void close() {
        captures.values().forEach(ChildProcess::close);
        try {
            if (databaseAnswers()) {
                removeMonitors();
            }
        } catch (IOException | InterruptedException | AssertionError e) {
            System.err.println("ZoneMinder: could not remove the test monitors: " + e);
        } finally {
            if (startedMariaDb) {
                try {
                    run("mariadb-stop", List.of(MARIADB.toString(), "stop"));
                } catch (IOException | InterruptedException e) {
                    System.err.println("ZoneMinder: could not stop MariaDB: " + e);
                }
            }
        }
    }
}
