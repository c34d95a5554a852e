package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Repository;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules ({@code ops/prometheus}) and the Grafana dashboards ({@code ops/grafana}) speak of metrics a
 * running node really exposes: a node with the API, the queue workers and the realtime gateway is scraped,
 * and every metric name in a rule or a panel must be on its {@code /metrics}. The rules pass
 * {@code promtool check rules} and their unit tests ({@code promtool test rules}); {@code ./duet test} installs
 * Debian's {@code prometheus} package for promtool when it is missing.
 */
class OpsRulesTest {
    private static final Pattern METRIC =
            Pattern.compile("\\b((?:duet|http_server|hikaricp|jvm|process)_[a-z0-9_]+)\\b");
    private static final Path OPS = Repository.root().resolve("ops");

    @Test
    void givenARunningNode_thenEveryMetricTheRulesAndDashboardsNameIsOnItsMetrics() throws Exception {
        EmbeddedServer node = Gateways.start(Gateways.freshNodeId("ops-rules"), Map.of());
        Set<String> exposed;
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + node.getPort();
            // One answered and one refused request, so that the HTTP server's series exist.
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/liveness"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/no-such-route"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            // GC pause timers exist from the first collection on: a node that has run a while has had one.
            System.gc();
            String scrape = "";
            for (int i = 0; i < 50 && !scrape.contains("jvm_gc_pause_seconds_sum"); i++) {
                Thread.sleep(100);
                scrape = http.send(
                                HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
            }
            exposed = scrape.lines()
                    .filter(line -> !line.startsWith("#") && !line.isBlank())
                    .map(line -> line.split("[{ ]", 2)[0])
                    .collect(Collectors.toCollection(TreeSet::new));
        } finally {
            node.getApplicationContext().close();
        }
        assertTrue(exposed.contains("duet_queue_oldest_age_seconds"), "scrape: " + exposed);

        List<String> unknown = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(OPS)) {
            files = walk.filter(
                            p -> p.toString().endsWith(".json") || p.toString().endsWith("rules.yml"))
                    .toList();
        }
        assertTrue(files.size() >= 6, "rule and dashboard files: " + files);
        int named = 0;
        for (Path file : files) {
            Matcher metric = METRIC.matcher(Files.readString(file));
            while (metric.find()) {
                named++;
                if (!exposed.contains(metric.group(1))) {
                    unknown.add(OPS.relativize(file) + ": " + metric.group(1));
                }
            }
        }
        assertTrue(named > 40, "metric names found in the rules and dashboards: " + named);
        assertTrue(unknown.isEmpty(), "metrics no running node exposes:\n" + String.join("\n", unknown));
    }

    @Test
    void givenTheRules_thenPromtoolChecksThemAndTheirUnitTestsPass() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertTrue(
                Files.isExecutable(promtool), "promtool is missing: apt-get install prometheus (./duet test does it)");
        Path rules = OPS.resolve("prometheus");
        String check = run(rules, promtool.toString(), "check", "rules", "duet-rules.yml");
        assertTrue(check.contains("SUCCESS: 12 rules found"), check);
        String test = run(rules, promtool.toString(), "test", "rules", "duet-rules.test.yml");
        assertTrue(test.contains("SUCCESS"), test);
    }

    /**
     * Each rule alerts at the number {@code ops/alert-thresholds.json} gives (the CloudWatch alarms of the AWS
     * deployment use the same file: AlarmThresholdsTest in infra), for as long as it says.
     */
    @Test
    @SuppressWarnings("unchecked")
    void givenTheThresholdsFile_thenEveryRuleAlertsAtItsNumberAndDuration() throws Exception {
        Map<String, Object> limits;
        try (var in = Files.newInputStream(OPS.resolve("alert-thresholds.json"))) {
            limits = new org.yaml.snakeyaml.Yaml().load(in); // JSON is YAML
        }
        // alert → the key and level of the thresholds file it implements
        Map<String, String[]> implemented = Map.ofEntries(
                Map.entry("DuetQueueOldestJobAgeing", new String[] {"queue_oldest_age_seconds", "warning"}),
                Map.entry("DuetQueueOldestJobStuck", new String[] {"queue_oldest_age_seconds", "critical"}),
                Map.entry("DuetDeadLettersGrowing", new String[] {"dead_letters_increase", "warning"}),
                Map.entry("DuetOutboxBacklog", new String[] {"outbox_backlog_jobs", "warning"}),
                Map.entry("DuetOutboxBacklogCritical", new String[] {"outbox_backlog_jobs", "critical"}),
                Map.entry("DuetOutboxNotVacuumed", new String[] {"outbox_dead_rows_floor", "warning"}),
                Map.entry("DuetEmailSendFailures", new String[] {"email_send_failure_ratio", "warning"}),
                Map.entry("DuetHttp5xxRatio", new String[] {"http_5xx_ratio", "critical"}),
                Map.entry("DuetHttpP99Slow", new String[] {"http_p99_seconds", "warning"}),
                Map.entry("DuetPoolWaits", new String[] {"db_pool_wait_p99_seconds", "warning"}),
                Map.entry("DuetRedisUnreachable", new String[] {"redis_errors_per_second", "warning"}),
                Map.entry(
                        "DuetRealtimeConnectionsDropped", new String[] {"realtime_connection_drop_ratio", "warning"}));
        Map<String, Object> rules;
        try (var in = Files.newInputStream(OPS.resolve("prometheus/duet-rules.yml"))) {
            rules = new org.yaml.snakeyaml.Yaml().load(in);
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String alert = (String) rule.get("alert");
                String[] source = implemented.get(alert);
                if (source == null) {
                    wrong.add(alert + ": not mapped to a key of alert-thresholds.json");
                    continue;
                }
                Map<String, Object> entry = (Map<String, Object>) limits.get(source[0]);
                double expected = ((Number) entry.get(source[1])).doubleValue();
                String expr = ((String) rule.get("expr")).replaceAll("\\s+", " ");
                Matcher threshold = Pattern.compile(">=? ([0-9.]+)").matcher(expr);
                if (!threshold.find() || Double.parseDouble(threshold.group(1)) != expected) {
                    wrong.add(alert + ": threshold in '" + expr + "' is not " + expected);
                }
                if (entry.get("for_minutes") instanceof Number minutes && !(minutes + "m").equals(rule.get("for"))) {
                    wrong.add(alert + ": for " + rule.get("for") + ", the file says " + minutes + "m");
                }
                if (entry.get("window_minutes") instanceof Number window && !expr.contains("[" + window + "m")) {
                    wrong.add(alert + ": no " + window + "m window in '" + expr + "'");
                }
                checked++;
            }
        }
        assertEquals(implemented.size(), checked, "rules checked");
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
