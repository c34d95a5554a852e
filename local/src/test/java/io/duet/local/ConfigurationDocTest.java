package io.duet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Repository;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.bind.annotation.Bindable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docs/configuration.md} lists exactly the settings Duet reads, with the defaults it really has.
 * The settings are the components of every {@code @ConfigurationProperties} record of Duet's own classes
 * (nested records under their parent's prefix, a map as {@code name.<key>}); a default is the value in
 * {@code api/src/main/resources/application.yml}, else the record's {@code @Bindable} default. A setting
 * added to the code and not to the page, one the page lists and the code no longer has, or a default
 * changed in one place only, fails here.
 */
class ConfigurationDocTest {
    private static final Path ROOT = Repository.root();
    private static final String LAMBDA_YML = "functions/src/main/resources/application-lambda.yml";
    private static final Pattern VALUE = Pattern.compile("\\$\\{(duet\\.[a-z0-9.-]+)(?::([^}]*))?}");
    private static final Pattern ROW =
            Pattern.compile("^\\|\\s*`(duet\\.[a-z0-9.<>-]+)`\\s*\\|\\s*`?([A-Z0-9_<>]+)`?\\s*\\|\\s*([^|]*?)\\s*\\|");

    @Test
    void givenTheConfigurationRecords_thenTheConfigurationPageListsEachSettingWithItsDefault() throws IOException {
        Map<String, String> code = settingsInCode();
        Map<String, String[]> documented = settingsOnThePage();

        TreeSet<String> undocumented = new TreeSet<>(code.keySet());
        undocumented.removeAll(documented.keySet());
        TreeSet<String> gone = new TreeSet<>(documented.keySet());
        gone.removeAll(code.keySet());
        assertTrue(
                undocumented.isEmpty() && gone.isEmpty(),
                "settings the code reads and docs/configuration.md lacks: " + undocumented
                        + "; rows of docs/configuration.md for settings the code does not read: " + gone);
        List<String> wrong = new ArrayList<>();
        code.forEach((name, fallback) -> {
            String[] row = documented.get(name);
            String env = name.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
            if (!row[0].equals(env)) wrong.add(name + ": environment variable " + row[0] + ", expected " + env);
            if (!normalise(row[1]).equals(normalise(fallback))) {
                wrong.add(name + ": page says default " + row[1] + ", the code has " + fallback);
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void givenApplicationYml_thenEveryDuetKeyInItIsASettingTheCodeReads() throws IOException {
        Map<String, String> code = settingsInCode();
        List<String> unread = new ArrayList<>();
        for (String key : flatten(
                        "duet", yaml("api/src/main/resources/application.yml").get("duet"))
                .keySet()) {
            boolean read = code.containsKey(key)
                    || code.keySet().stream()
                            .anyMatch(s -> s.endsWith(".<key>") && key.startsWith(s.substring(0, s.length() - 5)));
            if (!read) unread.add(key);
        }
        assertTrue(unread.isEmpty(), "keys of application.yml no configuration record reads: " + unread);
    }

    /** setting name → default ("" when none). */
    private static Map<String, String> settingsInCode() throws IOException {
        Map<String, Object> yml =
                flatten("duet", yaml("api/src/main/resources/application.yml").get("duet"));
        // The Lambda settings exist in the functions only, with their defaults in that environment's file.
        flatten("duet", yaml(LAMBDA_YML).get("duet")).forEach((k, v) -> {
            if (k.startsWith("duet.function.")) yml.putIfAbsent(k, v);
        });
        Map<String, String> settings = new TreeMap<>();
        for (Parameter parameter : valueParameters()) {
            Matcher value = VALUE.matcher(parameter.getAnnotation(Value.class).value());
            if (value.matches()) {
                String name = value.group(1);
                settings.put(
                        name,
                        yml.containsKey(name)
                                ? String.valueOf(yml.get(name))
                                : value.group(2) == null ? "" : value.group(2));
            }
        }
        for (Class<?> type : configurationRecords()) {
            ConfigurationProperties prefix = type.getAnnotation(ConfigurationProperties.class);
            if (type.getEnclosingClass() != null
                    && type.getEnclosingClass().isAnnotationPresent(ConfigurationProperties.class)) {
                continue; // a nested record, reached from its parent
            }
            collect(prefix.value(), type, yml, settings);
        }
        return settings;
    }

    private static void collect(String prefix, Class<?> type, Map<String, Object> yml, Map<String, String> into) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Class<?> valueType = component.getType();
            if (valueType.isRecord() && valueType.isAnnotationPresent(ConfigurationProperties.class)) {
                collect(
                        prefix + "."
                                + valueType
                                        .getAnnotation(ConfigurationProperties.class)
                                        .value(),
                        valueType,
                        yml,
                        into);
            } else if (Map.class.isAssignableFrom(valueType)) {
                String key = name + ".<key>";
                into.put(
                        key,
                        yml.entrySet().stream()
                                .filter(e -> e.getKey().startsWith(name + "."))
                                .map(e -> e.getKey().substring(name.length() + 1) + "=" + e.getValue())
                                .sorted()
                                .reduce((a, b) -> a + ", " + b)
                                .orElse(""));
            } else {
                Object value = yml.containsKey(name) ? yml.get(name) : bindableDefault(component);
                into.put(name, value == null ? "" : String.valueOf(value));
            }
        }
    }

    /** A record's {@code @Bindable} lands on its accessor (the annotation does not target record components). */
    private static String bindableDefault(RecordComponent component) {
        Bindable bindable = component.getAccessor().getAnnotation(Bindable.class);
        return bindable == null ? null : bindable.defaultValue();
    }

    /** setting name → {environment variable, default} from the page's tables. */
    private static Map<String, String[]> settingsOnThePage() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/configuration.md"))) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                String[] previous = rows.put(row.group(1), new String[] {
                    row.group(2), row.group(3).replace("`", "").trim()
                });
                assertEquals(null, previous, "listed twice in docs/configuration.md: " + row.group(1));
            }
        }
        assertTrue(rows.size() > 50, "docs/configuration.md has " + rows.size() + " setting rows");
        return rows;
    }

    private static String normalise(String value) {
        String v = value.trim();
        if (v.equals("[]") || v.equals("''") || v.equals("empty") || v.equals("none")) return "";
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String file) throws IOException {
        try (InputStream in = Files.newInputStream(ROOT.resolve(file))) {
            return new Yaml().load(in);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(String prefix, Object node) {
        Map<String, Object> flat = new TreeMap<>();
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flat.putAll(flatten(prefix + "." + k, v)));
        } else if (node instanceof Collection<?> list) {
            flat.put(
                    prefix,
                    list.isEmpty()
                            ? ""
                            : String.join(
                                    ",", list.stream().map(String::valueOf).toList()));
        } else {
            flat.put(prefix, node);
        }
        return flat;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** Every record annotated {@code @ConfigurationProperties} in Duet's own classes on the class path. */
    private static List<Class<?>> configurationRecords() throws IOException {
        List<Class<?>> records = duetClasses().stream()
                .filter(type -> type.isRecord() && type.isAnnotationPresent(ConfigurationProperties.class))
                .toList();
        assertTrue(records.size() >= 15, "configuration records found: " + records);
        return records;
    }

    /** Constructor parameters of Duet's beans that read one {@code duet.*} setting with {@code @Value}. */
    private static List<Parameter> valueParameters() throws IOException {
        List<Parameter> parameters = new ArrayList<>();
        for (Class<?> type : duetClasses()) {
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                for (Parameter parameter : constructor.getParameters()) {
                    if (parameter.isAnnotationPresent(Value.class)) parameters.add(parameter);
                }
            }
        }
        return parameters;
    }

    private static List<Class<?>> loaded;

    private static synchronized List<Class<?>> duetClasses() throws IOException {
        if (loaded != null) return loaded;
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path.resolve("io/duet"))) {
                try (Stream<Path> files = Files.walk(path.resolve("io/duet"))) {
                    files.map(p -> path.relativize(p).toString())
                            .filter(n -> n.endsWith(".class"))
                            .forEach(names::add);
                }
            } else if (entry.endsWith(".jar") && path.getFileName().toString().startsWith("duet-")) {
                try (JarFile jar = new JarFile(entry)) {
                    jar.stream()
                            .map(e -> e.getName())
                            .filter(n -> n.startsWith("io/duet/") && n.endsWith(".class"))
                            .forEach(names::add);
                }
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            if (name.contains("$Intercepted") || name.contains("$Definition") || name.contains("$Introspection"))
                continue;
            String className =
                    name.substring(0, name.length() - ".class".length()).replace('/', '.');
            if (className.contains(".testing.")) continue;
            try {
                Class<?> type = Class.forName(className, false, ConfigurationDocTest.class.getClassLoader());
                type.getDeclaredConstructors(); // resolves the signatures: a class that cannot is skipped here
                classes.add(type);
            } catch (ClassNotFoundException | LinkageError e) {
                // a class whose optional dependencies are absent from this class path holds no setting Duet reads
            }
        }
        loaded = classes;
        return classes;
    }
}
