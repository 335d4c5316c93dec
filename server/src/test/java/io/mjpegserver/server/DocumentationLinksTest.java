package io.mjpegserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every link in every {@code *.md} of the repository leads to one of its own files (and, with {@code #anchor}, to a
 * heading there, as GitHub names headings); none leads outside it, and no address outside code is left for a
 * renderer to turn into a link. The user's documents name no issue number.
 */
class DocumentationLinksTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent().toAbsolutePath().normalize();
    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[^\\n]*$");
    /** A code span, which may run over a line break. */
    private static final Pattern CODE = Pattern.compile("`[^`]*`");
    private static final Pattern INLINE = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE = Pattern.compile("(?m)^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern ANGLE = Pattern.compile("<((?:https?|ftp|mailto):[^>\\s]*)>");
    private static final Pattern BARE = Pattern.compile("(?i)\\b(?:https?://|www\\.)\\S+");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ID = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern ISSUE = Pattern.compile("(?i)\\bissues?\\s*#?\\d+|(?<![\\w&])#\\d+\\b");

    @Test
    void everyLinkResolvesInsideTheRepository() throws IOException {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path md : markdownFiles()) {
            String text = prose(Files.readString(md));
            String name = ROOT.relativize(md).toString();
            List<String> targets = new ArrayList<>();
            for (Pattern link : List.of(INLINE, REFERENCE)) {
                Matcher m = link.matcher(text);
                while (m.find()) {
                    targets.add(m.group(1));
                }
            }
            Matcher angle = ANGLE.matcher(text);
            while (angle.find()) {
                broken.add(name + ": <" + angle.group(1) + "> is a link outside the repository (expected: plain text in `code`)");
            }
            Matcher bare = BARE.matcher(INLINE.matcher(text).replaceAll(""));
            while (bare.find()) {
                broken.add(name + ": " + bare.group() + " would be linked (expected: in `code`, as plain text)");
            }
            for (String target : targets) {
                String problem = problem(md, target, anchors);
                if (problem != null) {
                    broken.add(name + ": (" + target + ") " + problem);
                }
            }
        }
        assertEquals("", String.join("\n", broken));
    }

    @Test
    void theUsersDocumentsNameNoIssue() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path md : markdownFiles()) {
            String name = ROOT.relativize(md).toString();
            if (!(name.equals("README.md") || name.startsWith("docs/") || name.equals("deploy/README.md"))) {
                continue;
            }
            Matcher issue = ISSUE.matcher(Files.readString(md));
            while (issue.find()) {
                found.add(name + ": " + issue.group());
            }
        }
        assertEquals("", String.join("\n", found));
    }

    /** What is wrong with {@code target} linked from {@code from}, or null when it resolves. */
    private static String problem(Path from, String target, Map<Path, Set<String>> anchors) throws IOException {
        if (target.isEmpty()) {
            return "is empty";
        }
        if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*") || target.startsWith("//")) {
            return "points outside the repository (expected: a file of the repository, the address as plain text)";
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? from : from.getParent().resolve(path).normalize();
        if (!file.startsWith(ROOT)) {
            return "leaves the repository";
        }
        if (!Files.exists(file)) {
            return "no such file";
        }
        if (anchor != null && file.toString().endsWith(".md")
                && !anchors.computeIfAbsent(file, DocumentationLinksTest::anchorsOf).contains(anchor)) {
            return "no heading #" + anchor + " in " + ROOT.relativize(file);
        }
        return null;
    }

    /** The anchors GitHub gives the headings of {@code md} (lower case, punctuation dropped, a suffix for repeats). */
    private static Set<String> anchorsOf(Path md) {
        String text;
        try {
            text = FENCE.matcher(Files.readString(md)).replaceAll("");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        Matcher heading = HEADING.matcher(text);
        while (heading.find()) {
            String slug = heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        Matcher id = HTML_ID.matcher(text);
        while (id.find()) {
            anchors.add(id.group(1));
        }
        return anchors;
    }

    /** The text a reader sees as prose: fenced blocks and code spans removed. */
    private static String prose(String markdown) {
        return CODE.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
    }

    private static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> {
                        String relative = ROOT.relativize(p).toString();
                        return !relative.startsWith(".") && !relative.contains("/target/") && !relative.startsWith("target/")
                                && !relative.contains("node_modules");
                    })
                    .sorted().toList();
        }
    }
}
