package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;

/**
 * The CloudWatch alarms use the numbers of {@code ops/alert-thresholds.json}, the file the Prometheus rules are
 * checked against (OpsRulesTest): change a threshold there and both change. Compared in each region's templates.
 */
class AlarmThresholdsTest {
    private static final AlertThresholds LIMITS = Fixture.STACKS.config().alertThresholds();

    @Test
    void givenTheThresholdsFile_whenSynthesized_thenEveryAlarmOnItHasItsThresholdAndDuration() {
        for (var region : Fixture.STACKS.regions().values()) {
            Map<String, Map<String, Object>> alarms = alarms(List.of(region.api(), region.data(), region.services()));
            for (String queue : List.of("email", "media", "account-purge")) {
                check(
                        alarms,
                        "QueueAge" + queue + "(?!critical)",
                        LIMITS.value("queue_oldest_age_seconds", "warning"),
                        LIMITS.periods("queue_oldest_age_seconds", 1));
                check(
                        alarms,
                        "QueueAge" + queue + "critical",
                        LIMITS.value("queue_oldest_age_seconds", "critical"),
                        LIMITS.periods("queue_oldest_age_seconds", 1));
                check(alarms, "DeadLetters" + queue, LIMITS.value("dead_letters_increase", "warning") - 1, 1);
            }
            check(
                    alarms,
                    "Api5xxRate",
                    100 * LIMITS.value("http_5xx_ratio", "critical"),
                    LIMITS.periods("http_5xx_ratio", 1));
            check(
                    alarms,
                    "ApiLatencyP99",
                    1000 * LIMITS.value("http_p99_seconds", "warning"),
                    LIMITS.periods("http_p99_seconds", 1));
            check(
                    alarms,
                    "AuroraCpu",
                    LIMITS.value("aurora_cpu_percent", "warning"),
                    LIMITS.periods("aurora_cpu_percent", 5));
            check(
                    alarms,
                    "AuroraReplicaLag",
                    1000 * LIMITS.value("aurora_replica_lag_seconds", "warning"),
                    LIMITS.periods("aurora_replica_lag_seconds", 5));
            check(
                    alarms,
                    "RedisMemory",
                    100 * LIMITS.value("redis_memory_used_ratio", "warning"),
                    LIMITS.periods("redis_memory_used_ratio", 5));
            check(
                    alarms,
                    "(Api|Signup)Throttles",
                    LIMITS.value("lambda_throttles", "warning") - 1,
                    LIMITS.periods("lambda_throttles", 1));
        }
    }

    /** Logical id (without its hash, dashes dropped) → properties of every alarm of the stacks. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> alarms(List<Stack> stacks) {
        Map<String, Map<String, Object>> alarms = new HashMap<>();
        for (Stack stack : stacks) {
            Fixture.template(stack)
                    .findResources("AWS::CloudWatch::Alarm")
                    .forEach((id, resource) -> alarms.put(
                            stack.getStackName() + "/" + id, (Map<String, Object>) resource.get("Properties")));
        }
        return alarms;
    }

    private static void check(
            Map<String, Map<String, Object>> alarms, String idPattern, double threshold, int periods) {
        var matching = alarms.entrySet().stream()
                .filter(e -> java.util.regex.Pattern.compile("/" + idPattern.replace("-", ""))
                        .matcher(e.getKey().replace("-", ""))
                        .find())
                .toList();
        assertTrue(!matching.isEmpty(), "no alarm " + idPattern + " among " + alarms.keySet());
        for (var alarm : matching) {
            assertEquals(
                    threshold,
                    ((Number) alarm.getValue().get("Threshold")).doubleValue(),
                    1e-9,
                    alarm.getKey() + " threshold");
            assertEquals(
                    periods,
                    ((Number) alarm.getValue().get("EvaluationPeriods")).intValue(),
                    alarm.getKey() + " periods");
        }
    }
}
