package io.mjpegserver.server.cli;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.SourceSpec;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.server.config.NamedFile;
import io.mjpegserver.server.config.StartupException;
import io.mjpegserver.server.cli.ConfigDocument.Entry;
import io.mjpegserver.server.cli.ConfigDocument.Mapping;
import io.mjpegserver.server.cli.ConfigDocument.Node;
import io.mjpegserver.server.cli.ConfigDocument.Scalar;
import io.mjpegserver.capture.derive.Transform;
import io.mjpegserver.server.config.DeriveConfig;
import io.mjpegserver.server.config.FeedConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --config FILE}: the feeds, in file order (the first is the default), and the server-wide settings by key,
 * which flags override. Every key is a flag's name without its dashes, its value checked by that flag's converter,
 * so a file and a command line are told the same about the same mistake. Relative paths are from the file's folder.
 */
record ConfigFile(Map<String, Object> settings, List<FeedConfig> feeds, Map<String, String> sourceKeys,
        Map<String, String> controlsKeys) {

    private static final Pattern FLAG = Pattern.compile("--([a-z][a-z-]*[a-z])( [A-Z]+\\b)?");

    /** Options of the command that are no key of the file. */
    static final List<String> NOT_KEYS = List.of("config", "mirror", "mirror-max-feeds", "help", "version", "list-devices",
            "control");
    /** A feed's key that is a mapping, {@code --control}'s: {@code controls: { brightness: 140 }}. */
    static final String CONTROLS_KEY = "controls";
    /** A feed's keys: the options of {@link FeedFlags} but an edge's, in their order (and {@code --help}'s). */
    static final List<String> FEED_KEYS = feedKeys(false);
    /** A feed's keys that name its source, exactly one: {@link FeedFlags}' exclusive group. */
    static final List<String> SOURCE_KEYS = feedKeys(true);
    /** A feed's keys that only an http(s) url takes: those named {@code relay-}. */
    static final List<String> RELAY_KEYS = FEED_KEYS.stream().filter(key -> key.startsWith("relay-")).toList();

    private static final String FEED_EXAMPLE = "front: { url: http://192.168.1.10/video.mjpg }";

    /** Reads and checks {@code path}, the keys and values against the options of {@code command}. */
    static ConfigFile read(Path path, CommandSpec command) throws ConfigException {
        byte[] bytes;
        try {
            bytes = NamedFile.read("--config", path);
        } catch (StartupException e) {
            throw new ConfigException(e.getMessage());
        }
        return new Reader(path, command).read(ConfigDocument.read(path.toString(), bytes));
    }

    /**
     * A feed's source failure told at the file's key: {@code cams.yaml line 3, feed lobby, file: ...}, or at its
     * {@code controls:} for a control the camera refuses ({@code control}); the flags the source's words name said
     * as the file's keys ({@code --file} as {@code file:}). {@code words} as they are for a feed the file does not have.
     */
    String atSourceKey(String feed, String words, boolean control, CommandSpec command) {
        String where = control && controlsKeys.containsKey(feed) ? controlsKeys.get(feed) : sourceKeys.get(feed);
        if (where == null) {
            return words;
        }
        Matcher flag = FLAG.matcher(words);
        StringBuilder said = new StringBuilder();
        while (flag.find()) {
            OptionSpec option = command.findOption("--" + flag.group(1));
            String key = option == null || NOT_KEYS.contains(flag.group(1)) ? flag.group()
                    : flag.group(1) + ":" + (option.arity().max() == 0 ? " true" : flag.group(2) == null ? "" : flag.group(2));
            flag.appendReplacement(said, Matcher.quoteReplacement(key));
        }
        flag.appendTail(said);
        return where + ": " + said;
    }

    private static List<String> feedKeys(boolean sourcesOnly) {
        List<String> keys = new ArrayList<>();
        for (OptionSpec option : CommandSpec.forAnnotatedObject(new FeedFlags()).options()) {
            String key = option.longestName().substring(2);
            if (!NOT_KEYS.contains(key) && (!sourcesOnly || option.group() != null)) {
                keys.add(key);
            }
        }
        return List.copyOf(keys);
    }

    /** The server-wide keys: every option of {@code command} but the feed keys and {@link #NOT_KEYS}, in its order. */
    static List<String> serverKeys(CommandSpec command) {
        List<String> keys = new ArrayList<>();
        for (OptionSpec option : command.options()) {
            String key = option.longestName().substring(2);
            if (!FEED_KEYS.contains(key) && !NOT_KEYS.contains(key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** One file's reading: where each complaint is, and each key's option. */
    private static final class Reader {
        private final Path path;
        private final CommandSpec command;
        private final List<String> serverKeys;
        /** Each feed's source key and where it is, for what its start may fail with; its controls' likewise. */
        private final Map<String, String> sourceKeys = new HashMap<>();
        private final Map<String, String> controlsKeys = new HashMap<>();

        Reader(Path path, CommandSpec command) {
            this.path = path;
            this.command = command;
            this.serverKeys = serverKeys(command);
        }

        ConfigFile read(Node root) throws ConfigException {
            if (root == null) {
                throw new ConfigException(path + ": no feeds (expected: feeds: and at least one feed under it, such as "
                        + FEED_EXAMPLE + ")");
            }
            if (!(root instanceof Mapping top)) {
                throw new ConfigException(where(root.line(), null) + ": " + root.shown() + " (expected: KEY: VALUE settings"
                        + " and feeds:, as in the README's example)");
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            List<FeedConfig> feeds = null;
            Map<String, Integer> seen = new HashMap<>();
            for (Entry entry : top.entries()) {
                String key = entry.key();
                once(seen, entry, null);
                if (key.equals("feeds")) {
                    feeds = feeds(entry);
                } else if (serverKeys.contains(key)) {
                    settings.put(key, value(entry, null));
                } else if (FEED_KEYS.contains(key)) {
                    throw new ConfigException(where(entry.line(), null) + ": " + key + " belongs to a feed (expected: "
                            + key + ": under a feed's name in feeds:, such as front: { url: ..., " + key + ": ... })");
                } else {
                    List<String> known = new ArrayList<>(List.of("feeds"));
                    known.addAll(serverKeys);
                    throw new ConfigException(where(entry.line(), null) + ": " + unknownKey(key, known));
                }
            }
            if (feeds == null) {
                throw new ConfigException(path + ": no feeds (expected: feeds: and at least one feed under it, such as "
                        + FEED_EXAMPLE + ")");
            }
            both(top, settings, "tls-cert", "tls-key");
            if (settings.containsKey("auth") && settings.containsKey("auth-file")) {
                throw new ConfigException(where(line(top, "auth-file"), null) + ": auth and auth-file both given"
                        + " (expected: one of them)");
            }
            return new ConfigFile(Map.copyOf(settings), List.copyOf(feeds), Map.copyOf(sourceKeys), Map.copyOf(controlsKeys));
        }

        private void both(Mapping top, Map<String, Object> settings, String one, String other) throws ConfigException {
            for (String[] pair : new String[][] {{one, other}, {other, one}}) {
                if (settings.containsKey(pair[0]) && !settings.containsKey(pair[1])) {
                    throw new ConfigException(where(line(top, pair[0]), null) + ": " + pair[0] + " without " + pair[1]
                            + " (expected: both, or neither)");
                }
            }
        }

        private List<FeedConfig> feeds(Entry feedsEntry) throws ConfigException {
            Node node = feedsEntry.value();
            boolean empty = node instanceof Scalar scalar && scalar.text().isEmpty() && !scalar.bool()
                    || node instanceof Mapping mapping && mapping.entries().isEmpty();
            if (empty) {
                throw new ConfigException(where(feedsEntry.line(), null) + ", feeds: no feed (expected: at least one,"
                        + " such as " + FEED_EXAMPLE + ")");
            }
            if (!(node instanceof Mapping mapping)) {
                throw new ConfigException(where(feedsEntry.line(), null) + ", feeds: " + node.shown() + " (expected: feed names,"
                        + " each with its settings, such as " + FEED_EXAMPLE + ")");
            }
            List<FeedConfig> feeds = new ArrayList<>();
            Map<String, Integer> names = new HashMap<>();
            for (Entry feed : mapping.entries()) {
                try {
                    FeedConfig.checkName(feed.key());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where(feed.line(), null) + ": " + e.getMessage());
                }
                Integer first = names.putIfAbsent(feed.key(), feed.line());
                if (first != null) {
                    throw new ConfigException(where(feed.line(), null) + ": feed name '" + feed.key() + "' given twice"
                            + " (first on line " + first + "; expected: a different name for each feed)");
                }
                feeds.add(feed(feed));
            }
            return feeds;
        }

        private FeedConfig feed(Entry feed) throws ConfigException {
            String name = feed.key();
            if (!(feed.value() instanceof Mapping settings)) {
                throw new ConfigException(where(feed.line(), name) + ": " + feed.value().shown()
                        + " (expected: the feed's settings, such as " + name + ": { url: http://192.168.1.10/video.mjpg })");
            }
            Map<String, Object> values = new HashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            List<String> sources = new ArrayList<>();
            Map<String, String> controls = null;
            for (Entry entry : settings.entries()) {
                String key = entry.key();
                once(seen, entry, name);
                if (key.equals(CONTROLS_KEY)) {
                    controls = controls(entry, name);
                    continue;
                }
                if (serverKeys.contains(key) || key.equals("feeds")) {
                    throw new ConfigException(where(entry.line(), name) + ": " + key + " is server-wide (expected: " + key
                            + ": at the top of the file, not in a feed)");
                }
                if (!FEED_KEYS.contains(key)) {
                    List<String> known = new ArrayList<>(FEED_KEYS);
                    known.add(CONTROLS_KEY);
                    throw new ConfigException(where(entry.line(), name) + ": " + unknownKey(key, known));
                }
                Object value = value(entry, name);
                if (SOURCE_KEYS.contains(key) && !Boolean.FALSE.equals(value)) {
                    sources.add(key);
                }
                values.put(key, value);
            }
            if (sources.isEmpty()) {
                throw new ConfigException(where(feed.line(), name) + ": no source (expected: one of "
                        + String.join(", ", SOURCE_KEYS) + ")");
            }
            if (sources.size() > 1) {
                throw new ConfigException(where(line(settings, sources.get(1)), name) + ": two sources, " + sources.get(0)
                        + " and " + sources.get(1) + " (expected: exactly one of " + String.join(", ", SOURCE_KEYS) + ")");
            }
            sourceKeys.put(name, where(line(settings, sources.get(0)), name) + ", " + sources.get(0));
            SourceSpec source = switch (sources.get(0)) {
                case "url" -> (SourceSpec.Url) values.get("url");
                case "device" -> (SourceSpec.Camera) values.get("device");
                case "file" -> new SourceSpec.VideoFile((Path) values.get("file"));
                default -> new SourceSpec.TestPattern();
            };
            if (controls != null) {
                if (!(source instanceof SourceSpec.Camera camera)) {
                    throw new ConfigException(where(line(settings, CONTROLS_KEY), name) + ": controls are for a camera"
                            + " (expected: device: in this feed, or no controls)");
                }
                source = camera.withControls(controls);
                controlsKeys.put(name, where(line(settings, CONTROLS_KEY), name) + ", " + CONTROLS_KEY);
            }
            CaptureConfig capture = FeedFlags.capture(source, (VideoSize) values.get("size"),
                    (Double) values.get("fps"), (Integer) orDefault(values, "quality"), (Integer) orDefault(values, "ring-size"));
            CaptureOptions options = new CaptureOptions((Boolean) orDefault(values, "on-demand"),
                    (Duration) orDefault(values, "idle-grace"), (Boolean) orDefault(values, "drop-same-frames"),
                    (Double) orDefault(values, "ring-seconds"), (Integer) orDefault(values, "workers"),
                    !(Boolean) orDefault(values, "hide-no-signal"), (Long) orDefault(values, "memory"));
            DeriveConfig derive = FeedFlags.derive((Transform.Crop) values.get("crop"), (Transform.Rotation) values.get("rotate"),
                    (Transform.Flip) values.get("flip"), (String) values.get("text"),
                    (Transform.Overlay.Position) orDefault(values, "text-position"), (Integer) orDefault(values, "max-variants"),
                    capture.quality());
            return new FeedConfig(name, capture, options, relay(settings, name, source, values), derive);
        }

        /** The feed's relay settings: only for an http(s) url. */
        private RelayOptions relay(Mapping settings, String name, SourceSpec source, Map<String, Object> values)
                throws ConfigException {
            String given = RELAY_KEYS.stream().filter(values::containsKey).findFirst().orElse(null);
            if (given != null && !FeedFlags.isHttp(source)) {
                throw new ConfigException(where(line(settings, given), name) + ": " + given + " is for an http:// or"
                        + " https:// url (expected: url: http(s)://... in this feed, or no " + given + ")");
            }
            Path ca = (Path) values.get("relay-ca");
            boolean insecure = (Boolean) orDefault(values, "relay-insecure");
            if (ca != null && insecure) {
                throw new ConfigException(where(line(settings, "relay-insecure"), name) + ": relay-ca and relay-insecure"
                        + " both given (expected: one of them)");
            }
            try {
                return FeedFlags.relay(ca, insecure, (Integer) orDefault(values, "relay-max-part"),
                        (Duration) orDefault(values, "relay-connect-timeout"), (Duration) orDefault(values, "relay-read-timeout"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(line(settings, "relay-ca"), name) + ", relay-ca: " + e.getMessage());
            }
        }

        /** A feed's {@code controls:}, each a control's name and its value, in the file's order. */
        private Map<String, String> controls(Entry entry, String feed) throws ConfigException {
            if (!(entry.value() instanceof Mapping mapping)) {
                throw new ConfigException(where(entry.line(), feed) + ", " + CONTROLS_KEY + ": " + entry.value().shown()
                        + " (expected: each control's name and value, such as controls: { brightness: 140 })");
            }
            Map<String, String> controls = new LinkedHashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            for (Entry control : mapping.entries()) {
                once(seen, control, feed);
                if (!(control.value() instanceof Scalar scalar) || scalar.text().isEmpty()) {
                    throw new ConfigException(where(control.line(), feed) + ", " + CONTROLS_KEY + ", " + control.key()
                            + ": " + control.value().shown() + " (expected: one value, a number or a menu item's name)");
                }
                controls.put(control.key(), scalar.text());
            }
            return controls;
        }

        /** The value of {@code key} in {@code values}, else its flag's default ({@link Defaults}; a switch is off). */
        private Object orDefault(Map<String, Object> values, String key) {
            if (values.containsKey(key)) {
                return values.get(key);
            }
            String text = Defaults.of(key);
            return text == null ? Boolean.FALSE : convert(option(key), text);
        }

        /** {@code entry}'s value, by its flag's converter: a boolean flag takes true or false. */
        private Object value(Entry entry, String feed) throws ConfigException {
            OptionSpec option = option(entry.key());
            Node node = entry.value();
            String prefix = where(entry.line(), feed) + ", " + entry.key() + ": ";
            if (option.arity().max() == 0) {
                if (node instanceof Scalar scalar && scalar.bool()) {
                    return Boolean.parseBoolean(scalar.text());
                }
                throw new ConfigException(prefix + node.shown() + " (expected: true or false)");
            }
            if (!(node instanceof Scalar scalar)) {
                throw new ConfigException(prefix + node.shown() + " (expected: one value, as --" + entry.key() + " "
                        + option.paramLabel() + " takes)");
            }
            Object value;
            try {
                value = convert(option, scalar.text());
            } catch (TypeConversionException e) {
                throw new ConfigException(prefix + e.getMessage());
            }
            if (value instanceof Path relative && !relative.isAbsolute() && path.getParent() != null) {
                return path.getParent().resolve(relative);
            }
            return value;
        }

        private static Object convert(OptionSpec option, String text) {
            try {
                @SuppressWarnings("unchecked")
                ITypeConverter<Object> converter = (ITypeConverter<Object>) option.converters()[0];
                return converter.convert(text);
            } catch (TypeConversionException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("converter of " + option.longestName(), e);
            }
        }

        private OptionSpec option(String key) {
            OptionSpec option = command.findOption("--" + key);
            if (option == null) {
                throw new IllegalStateException("no option --" + key + " for the config file's key " + key);
            }
            return option;
        }

        /** An unknown key's words: the nearest known one when there is one, and all of them. */
        private static String unknownKey(String key, List<String> known) {
            String nearest = Nearest.of(key, known);
            return "unknown key '" + key + "'" + (nearest == null ? "" : ": did you mean " + nearest + "?")
                    + " (expected one of: " + String.join(", ", known) + ")";
        }

        /** Rejects a key given twice in one mapping. */
        private void once(Map<String, Integer> seen, Entry entry, String feed) throws ConfigException {
            Integer first = seen.putIfAbsent(entry.key(), entry.line());
            if (first != null) {
                throw new ConfigException(where(entry.line(), feed) + ": " + entry.key() + " given twice (first on line "
                        + first + "; expected: each key once)");
            }
        }

        private static int line(Mapping mapping, String key) {
            return mapping.entries().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow().line();
        }

        private String where(int line, String feed) {
            return path + " line " + line + (feed == null ? "" : ", feed " + feed);
        }
    }
}
