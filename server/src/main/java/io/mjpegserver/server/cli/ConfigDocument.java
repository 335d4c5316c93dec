package io.mjpegserver.server.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * A YAML config file read into a small tree whose every value knows its line, so that each later complaint
 * can say where. Keys are kept in file order, repeated ones included (the reader of the tree knows whether
 * a repeat is a feed or a setting). A syntax error is said in our words, with its line.
 */
final class ConfigDocument {

    /** A value and the line (from 1) it starts on. */
    sealed interface Node {
        int line();

        /** What the value is, for a message about a value of the wrong kind: {@code 'text'}, {@code a list}. */
        String shown();
    }

    /** A single value. {@code bool} when YAML read it as true or false; a null value has the text "". */
    record Scalar(String text, boolean bool, int line) implements Node {
        @Override
        public String shown() {
            return "'" + text + "'";
        }
    }

    record Sequence(int line) implements Node {
        @Override
        public String shown() {
            return "a list";
        }
    }

    record Mapping(List<Entry> entries, int line) implements Node {
        @Override
        public String shown() {
            return "a mapping";
        }
    }

    record Entry(String key, int line, Node value) {
    }

    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private ConfigDocument() {
    }

    /**
     * The document in {@code bytes}, or null when it holds nothing (empty, or only comments).
     *
     * @param name how messages name the file
     */
    static Node read(String name, byte[] bytes) throws ConfigException {
        String text;
        try {
            text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + " is not UTF-8 text (expected: a YAML file in UTF-8)");
        }
        try (JsonParser parser = YAML.createParser(text)) {
            if (parser.nextToken() == null) {
                return null;
            }
            Node root = node(name, parser);
            if (parser.nextToken() != null) {
                throw new ConfigException(name + " line " + line(parser) + ": a second YAML document (expected: one,"
                        + " with no --- line after its settings)");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(syntax(name, e));
        } catch (IOException e) {
            throw new ConfigException(name + " cannot be read: " + e.getMessage());
        }
    }

    private static Node node(String name, JsonParser parser) throws IOException, ConfigException {
        int line = line(parser);
        JsonToken token = parser.currentToken();
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            throw new ConfigException(name + " line " + line + ": an alias, *" + parser.getText()
                    + " (expected: the value written out; anchors and aliases are not supported)");
        }
        switch (token) {
            case START_OBJECT -> {
                List<Entry> entries = new ArrayList<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = line(parser);
                    parser.nextToken();
                    entries.add(new Entry(key, keyLine, node(name, parser)));
                }
                return new Mapping(List.copyOf(entries), line);
            }
            case START_ARRAY -> {
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    node(name, parser);
                }
                return new Sequence(line);
            }
            case VALUE_NULL -> {
                return new Scalar("", false, line);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Scalar(token == JsonToken.VALUE_TRUE ? "true" : "false", true, line);
            }
            default -> {
                return new Scalar(parser.getText(), false, line);
            }
        }
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    /**
     * One line for a YAML syntax error: the line where the mistake most likely is (an unclosed quote or
     * bracket: where it opened) and what is wrong, never SnakeYAML's multi-line text.
     */
    static String syntax(String name, JsonProcessingException e) {
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        String what = "not valid YAML (expected: KEY: VALUE lines, indented with spaces, as in the README's example)";
        if (e.getCause() instanceof ReaderException) {
            return name + ": a character YAML does not allow, such as a control character (expected: printable text)";
        }
        if (e.getCause() instanceof MarkedYAMLException marked) {
            String context = String.valueOf(marked.getContext());
            String problem = String.valueOf(marked.getProblem());
            Mark at = marked.getProblemMark();
            if (problem.contains("\t") || problem.contains("TAB")) {
                what = "a tab character (expected: spaces to indent, YAML allows no tabs there)";
            } else if (context.contains("quoted scalar")) {
                at = marked.getContextMark();
                what = "a quote that is not closed (expected: a value between two \" or two ')";
            } else if (context.contains("flow mapping")) {
                at = marked.getContextMark();
                what = "a { not closed, or a missing comma (expected: { key: value, key: value } on one line)";
            } else if (context.contains("flow sequence")) {
                at = marked.getContextMark();
                what = "a [ not closed, or a missing comma (expected: [ value, value ] on one line)";
            } else if (problem.contains("mapping values are not allowed")) {
                what = "a ':' where no key belongs (expected: one KEY: VALUE a line, each key in line with its"
                        + " siblings; quote a value that holds ': ')";
            } else if (problem.contains("could not find expected ':'")) {
                what = "a line with no ':' (expected: KEY: VALUE)";
            }
            if (at != null) {
                line = at.getLine() + 1;
            }
        }
        return name + (line > 0 ? " line " + line : "") + ": " + what;
    }
}
