package io.duet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.api.testing.Repository;
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
 * Every relative link in the repository's Markdown resolves: the file exists, and an {@code #anchor}
 * names a heading of that file (GitHub's slugs: lower case, punctuation dropped, spaces to dashes,
 * repeats numbered). Links to the web are not followed.
 */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");

    @Test
    void givenTheRepositorysMarkdown_thenEveryRelativeLinkAndAnchorResolves() throws IOException {
        Path root = Repository.root();

        List<String> broken = brokenLinks(root);

        assertEquals(List.of(), broken);
    }

    @Test
    void givenABrokenLinkAndAMissingAnchor_thenBothAreReported() throws IOException {
        Path dir = Files.createTempDirectory("duet-docs-");
        Files.writeString(
                dir.resolve("a.md"),
                "# Title\n\n## Known part\n\n[ok](b.md#real-heading) [ok](#known-part) "
                        + "[gone](missing.md) [no anchor](b.md#nowhere) [web](https://example.com/x)\n");
        Files.writeString(dir.resolve("b.md"), "# B\n\n## Real heading\n");

        List<String> broken = brokenLinks(dir);

        assertEquals(List.of("a.md -> missing.md", "a.md -> b.md#nowhere"), broken);
    }

    static List<String> brokenLinks(Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(path -> path.toString().endsWith(".md"))
                    .filter(path -> root.relativize(path).toString().chars().noneMatch(c -> c == '\0'))
                    .filter(path -> !ignored(root.relativize(path)))
                    .sorted()
                    .toList();
        }
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            String text = stripCode(Files.readString(file));
            Matcher link = LINK.matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*") || target.startsWith("<")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String pathPart = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = pathPart.isEmpty()
                        ? file
                        : file.getParent().resolve(pathPart).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(root.relativize(file) + " -> " + target);
                } else if (anchor != null
                        && !anchor.isEmpty()
                        && resolved.toString().endsWith(".md")
                        && !anchors.computeIfAbsent(resolved, DocsLinksTest::headings)
                                .contains(anchor)) {
                    broken.add(root.relativize(file) + " -> " + target);
                }
            }
        }
        return broken;
    }

    /** Build output and installed packages are not the project's docs. */
    private static boolean ignored(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The anchors GitHub makes of a file's headings. */
    private static Set<String> headings(Path file) {
        Set<String> slugs = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        try {
            for (String line : stripCode(Files.readString(file)).split("\n")) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(1));
                    int count = seen.merge(slug, 1, Integer::sum);
                    slugs.add(count == 1 ? slug : slug + "-" + (count - 1));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return slugs;
    }

    static String slug(String heading) {
        String text = heading.replaceAll("`", "")
                .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    /** Fenced code blocks hold examples, not links. */
    private static String stripCode(String text) {
        return text.replaceAll("(?s)```.*?```", "");
    }
}
