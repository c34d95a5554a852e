package io.duet.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The short rehearsal inside {@code ./duet test}: the whole stack as processes, a small 30x spike, one
 * cheap fault of each kind, and the checker. It fails on anything lost or unexpected (duplicates are
 * reported, not failed: email is at-least-once); latency is printed, never asserted.
 */
class ShortRehearsalTest {

    @Test
    void aSmallPromotionWithEveryFaultLosesNothing() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertTrue(
                Files.exists(root.resolve("local/target/classpath.txt")),
                "the launcher's classpath file is missing: build with mvn package first (./duet test does)");
        assertTrue(
                Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb")),
                "the rehearsal runs its own PostgreSQL: /usr/lib/postgresql/15/bin/initdb is needed");
        Rehearse.Options options =
                Rehearse.Options.parse(new String[] {"--short", "--out", "target/rehearsal/short-test"});
        long start = System.nanoTime();
        Checker.Result result = Rehearse.run(options, root, System.out);
        double seconds = (System.nanoTime() - start) / 1e9;
        String findings = result.findings().stream()
                .limit(20)
                .map(f -> f.kind() + " " + f.verdict() + " " + f.key())
                .collect(Collectors.joining("\n  "));
        assertTrue(
                result.rows().getFirst().requests() > 0,
                "the load made no signups: see target/rehearsal/short-test/gatling.log");
        assertEquals(0, result.lost(), "lost effects (2xx without effect):\n  " + findings);
        assertEquals(0, result.unexpected(), "unexpected effects (no request asked for them):\n  " + findings);
        System.out.printf("short rehearsal took %.0f s%n", seconds);
    }
}
