package io.duet.api.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged function started as Lambda's managed Java runtime starts it: a fresh JVM running the AWS
 * Lambda Runtime Interface Client's {@code AWSLambda} main with {@code handler::method}, the deployable
 * jar on the class path, and the function's settings in the environment, talking to a Runtime API.
 * Where the packages and the runtime client's class path are: {@code duet.lambda.packages} and
 * {@code duet.ric.classpath} (the cold-start benchmark sets them), else the {@code functions} module's
 * {@code target}, the working directory of its tests.
 */
public record FunctionProcess(Process process, Path log, long startedNanos) implements AutoCloseable {

    /** Options the managed runtime uses by default (client compiler only, serial GC) plus what JDK 25 asks for. */
    public static final List<String> LAMBDA_JVM_OPTIONS = List.of(
            "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx768m",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private static final Map<String, Path> UNPACKED = new HashMap<>();

    /** The deployment package of one function (api, signup, email-worker, ...) as {@code ./duet package} builds it. */
    public static Path lambdaPackage(String function) {
        Path zip = Path.of(System.getProperty("duet.lambda.packages", "target/duet-functions-0.1.0-SNAPSHOT") + "-"
                + function + ".zip");
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException(zip + " is missing: build it with ./duet package (mvn package)");
        }
        return zip;
    }

    /**
     * The package unpacked as Lambda unpacks it into {@code /var/task}; again only when the package is newer
     * than the last unpacking, since an AOT cache trained on the files is valid only while they are unchanged.
     */
    public static synchronized Path task(String function) throws IOException {
        Path existing = UNPACKED.get(function);
        if (existing != null) {
            return existing;
        }
        Path zip = lambdaPackage(function);
        Path task = zip.resolveSibling("lambda").resolve(function).toAbsolutePath();
        Path stamp = task.resolveSibling(function + ".unpacked");
        if (Files.exists(stamp) && Files.getLastModifiedTime(stamp).compareTo(Files.getLastModifiedTime(zip)) >= 0) {
            UNPACKED.put(function, task);
            return task;
        }
        Files.deleteIfExists(stamp);
        if (Files.exists(task)) {
            try (var files = Files.walk(task)) {
                for (Path path :
                        files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path target = task.resolve(entry.getName()).normalize();
                if (!target.startsWith(task)) {
                    throw new IOException("entry outside the package: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        }
        Files.createFile(stamp);
        UNPACKED.put(function, task);
        return task;
    }

    /**
     * The package's class path: every jar in {@code lib/} (the root holds nothing else; Lambda's runtime also
     * lists the root directory, which a JDK AOT cache refuses, see docs/functions.md, "Cold start"). Without
     * {@code micronautAot}, the Micronaut AOT jar is left off: the package as it was before it carried one.
     */
    public static String taskClasspath(Path task, boolean micronautAot) throws IOException {
        List<String> entries = new ArrayList<>();
        try (var jars = Files.list(task.resolve("lib"))) {
            jars.map(Path::toString)
                    .filter(name -> name.endsWith(".jar"))
                    .filter(name -> micronautAot || !isMicronautAot(name))
                    .sorted()
                    .forEach(entries::add);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    public static boolean isMicronautAot(String jar) {
        return Path.of(jar).getFileName().toString().startsWith("duet-functions-aot-");
    }

    public static String runtimeClientClasspath() throws IOException {
        Path file = Path.of(System.getProperty("duet.ric.classpath", "target/ric-classpath.txt"));
        return Files.readString(file).trim();
    }

    /** The function's settings pointing at the test PostgreSQL, Redis and GreenMail. */
    public static Map<String, String> testEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("DATASOURCES_DEFAULT_URL", TestDb.url());
        env.put("DUET_REDIS_URI", TestRedis.uri());
        env.put("DUET_MAIL_SMTP_PORT", Integer.toString(Smtp.port()));
        env.put("DUET_JWT_SECRET", "test-secret-of-duet-functions-0123456789-abcdef");
        env.put("DUET_ACCOUNTS_ARGON2_MEMORY_KIB", "1024");
        env.put("DUET_ACCOUNTS_ARGON2_ITERATIONS", "1");
        env.put("DUET_RATE_LIMITS_SIGNUP_PER_IP", "100000");
        env.put("DUET_RATE_LIMITS_SIGN_IN_PER_IP", "100000");
        env.put("DUET_LOG_FORMAT", "json");
        return env;
    }

    /** Starts {@code handler} from the unpacked package of {@code function}, all of it, as Lambda does. */
    public static FunctionProcess start(
            String function,
            String handler,
            LocalRuntimeApi runtime,
            Map<String, String> settings,
            List<String> jvmOptions)
            throws IOException {
        return start(function, handler, runtime, settings, jvmOptions, true);
    }

    /** As above; without {@code micronautAot}, the package's Micronaut AOT jar is left off the class path. */
    public static FunctionProcess start(
            String function,
            String handler,
            LocalRuntimeApi runtime,
            Map<String, String> settings,
            List<String> jvmOptions,
            boolean micronautAot)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(
                taskClasspath(task(function), micronautAot) + java.io.File.pathSeparator + runtimeClientClasspath());
        command.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
        command.add(handler);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        for (String name : List.copyOf(env.keySet())) {
            if (name.startsWith("DUET_") || name.startsWith("DATASOURCES_") || name.startsWith("MICRONAUT_")) {
                env.remove(name);
            }
        }
        env.put("AWS_LAMBDA_RUNTIME_API", runtime.address());
        env.put("_HANDLER", handler);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "duet-test");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/duet-test");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/22/[$LATEST]local");
        env.putAll(settings);
        Path log = Files.createTempFile("duet-function-", ".log");
        builder.redirectOutput(log.toFile());
        long started = System.nanoTime();
        return new FunctionProcess(builder.start(), log, started);
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Resident set size of the function's JVM in KiB, from /proc. */
    public long rssKib() throws IOException {
        long rss = ProcStat.rssKb(process.pid());
        return rss == 0 ? -1 : rss;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // A leftover temporary file is harmless.
        }
    }
}
