package io.mjpegserver.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The documents made from the command's picocli model: {@code docs/configuration.md} (every flag and every key of
 * the config file, which {@link ConfigFile} derives from the same options) and the man page's AsciiDoc, which the
 * Debian package turns into {@code mjpeg-server.1}. {@link #main} writes them; ReferenceDocsTest fails when they
 * differ from what it makes.
 */
final class ReferenceDocs {

    static final String REGENERATE = "mvn -B -q -pl server -am test -Dtest=ReferenceDocsTest -Dregenerate=true"
            + " -Dsurefire.failIfNoSpecifiedTests=false";

    /** What the package adds to the command's own page: its files, environment and exit statuses. */
    private static final String MAN_PAGE_END = """

            == Exit status

            0:: Stopped by SIGTERM or SIGINT, or --help, --version or --list-devices done.
            1:: Could not start: a camera or file missing, TLS files that do not go together, a port in use.
            2:: A bad flag, config file key or value (one line says which and what is expected).
            3:: The source was lost with --exit-on-source-loss.
            70:: An Error (out of memory, ...) on one of the server's threads.

            == Files

            _/etc/mjpeg-server/mjpeg-server.yaml_::
              The feeds and server settings the service runs; its keys are the options' names without their dashes.

            _/etc/mjpeg-server/jvm.options_::
              The Java virtual machine's settings (heap, garbage collector, stacks), one per line.

            _/var/cache/mjpeg-server_::
              Where JavaCV unpacks its native libraries at first start.

            == Environment

            *JAVA_HOME*::
              The Java runtime to run (default: java on the PATH).

            *JAVA_OPTS*::
              More JVM options, after those of jvm.options.

            *MJPEG_SERVER_AUTH*::
              USER:PASSWORD for HTTP Basic authentication.

            == See also

            *systemctl*(1), /usr/share/doc/mjpeg-server/README.md.gz
            """;

    private ReferenceDocs() {
    }

    /** Writes every document under {@code root}, the repository's root. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "..");
        for (Map.Entry<String, String> document : documents().entrySet()) {
            Files.writeString(root.resolve(document.getKey()), document.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** Each document by its path from the repository's root. */
    static Map<String, String> documents() {
        return Map.of("docs/configuration.md", configuration(), "server/src/deb/mjpeg-server.1.adoc", manPage());
    }

    private static CommandSpec command() {
        return ServeCommand.commandLine(new ServeCommand(Map.of())).getCommandSpec();
    }

    static String manPage() {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            ManPageGenerator.writeSingleManPage(out, command());
        }
        // The release is the package's, put in when it is built; the Java running this is no part of the page.
        return text.toString().replaceAll("(?m)^(:revnumber:|:mansource:) .*$", "$1 mjpeg-server [[version]]")
                + MAN_PAGE_END;
    }

    static String configuration() {
        CommandSpec command = command();
        List<String> serverKeys = ConfigFile.serverKeys(command);
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n")
                .append("<!-- Made from the code by server/src/test/java/io/mjpegserver/server/cli/ReferenceDocs.java;"
                        + " do not edit.\n     After changing a flag, regenerate it from the repository's root with:\n     ")
                .append(REGENERATE).append("\n-->\n\n")
                .append("Every flag of `mjpeg-server`, as `mjpeg-server --help` and `man mjpeg-server` give them, and its key in a\n")
                .append("`--config` YAML file: the flag's name without its dashes, taking the same values, with the same default.\n")
                .append("How the file is laid out and checked: [the config file](config-file.md).\n\n")
                .append("## Flags\n\n")
                .append("| flag | YAML key | what |\n|---|---|---|\n");
        for (OptionSpec option : command.options()) {
            String key = option.longestName().substring(2);
            String yaml;
            if (ConfigFile.FEED_KEYS.contains(key)) {
                yaml = "`" + key + ":` in a feed";
            } else if (serverKeys.contains(key)) {
                yaml = "`" + key + ":` at the top";
            } else if (key.equals("control")) {
                yaml = "`" + ConfigFile.CONTROLS_KEY + ":` in a feed, a map";
            } else {
                yaml = "none";
            }
            md.append("| `").append(cell(String.join("`, `", names(option)))).append("` | ").append(yaml).append(" | ")
                    .append(cell(description(option))).append(" |\n");
        }
        md.append("\n`--device`, `--file`, `--test-pattern`, `--url` and `--mirror` are exclusive; `--auth` and `--auth-file`\n")
                .append("too; `--tls-cert` and `--tls-key` go together. A flag given beside `--config` overrides the file's\n")
                .append("server-wide key; a feed's flag beside it is refused.\n\n")
                .append("## YAML keys\n\n")
                .append("At the top of the file, server-wide:\n\n");
        md.append("- `feeds:` (required): the feeds, in the order they are served, each a name and its keys\n");
        for (String key : serverKeys) {
            md.append("- `").append(key).append(":` (`--").append(key).append("`)\n");
        }
        md.append("\nIn a feed, under its name in `feeds:`; exactly one of ")
                .append(String.join(", ", ConfigFile.SOURCE_KEYS.stream().map(k -> "`" + k + ":`").toList()))
                .append(":\n\n");
        for (String key : ConfigFile.FEED_KEYS) {
            md.append("- `").append(key).append(":` (`--").append(key).append("`)")
                    .append(ConfigFile.RELAY_KEYS.contains(key) ? ", for an `http://` or `https://` url" : "").append("\n");
        }
        md.append("- `").append(ConfigFile.CONTROLS_KEY).append(":` (`--control`), a map of a camera's controls:"
                + " `controls: { brightness: 140 }`\n");
        return md.toString();
    }

    private static List<String> names(OptionSpec option) {
        String label = option.arity().max() == 0 ? "" : " " + option.paramLabel();
        return List.of(option.names()).stream().map(name -> name + label).toList();
    }

    /** The option's description as {@code --help} gives it, with its default. */
    private static String description(OptionSpec option) {
        String text = String.join(" ", option.description());
        String value = Defaults.of(option.longestName().substring(2));
        return text.replace("${DEFAULT-VALUE}", value == null ? "" : value);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
