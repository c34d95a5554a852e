package io.duet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./duet help} lists every command the script has, one line each, and an unknown command says so and
 * exits non-zero (neither needs a JDK or Maven: they run before the script looks for either).
 */
class DuetCommandTest {
    private static final Path ROOT = Repository.root();

    @Test
    void givenTheScript_thenHelpListsEveryCommandOnOneLine() throws Exception {
        List<String> commands = new ArrayList<>();
        Matcher label = Pattern.compile("(?m)^  ([a-z][a-z|-]*)\\)").matcher(Files.readString(ROOT.resolve("duet")));
        while (label.find()) {
            commands.add(label.group(1).split("\\|")[0]);
        }
        assertTrue(commands.size() >= 8, "commands found in ./duet: " + commands);

        Result help = run("help");
        assertEquals(0, help.exit(), help.output());
        List<String> lines = help.output().lines().toList();
        for (String command : commands) {
            long listed = lines.stream()
                    .filter(line -> line.startsWith("./duet " + command + " ") || line.equals("./duet " + command))
                    .count();
            assertEquals(1, listed, "./duet help lines for '" + command + "':\n" + help.output());
        }
        assertEquals(commands.size(), lines.size(), "one line per command:\n" + help.output());
    }

    @Test
    void givenAnUnknownCommand_thenItSaysSoAndExitsNonZero() throws Exception {
        Result unknown = run("deploy-everything");
        assertNotEquals(0, unknown.exit());
        assertTrue(unknown.output().contains("unknown command 'deploy-everything'"), unknown.output());
        assertTrue(unknown.output().contains("./duet help"), unknown.output());
    }

    private record Result(int exit, String output) {}

    private static Result run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("duet").toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "./duet " + String.join(" ", arguments) + " did not finish");
        return new Result(process.exitValue(), output);
    }
}
