package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;

/** Every alarm notifies someone, and each region has the alarms the issue lists. */
class AlarmsTest {

    @Test
    void givenEveryStack_whenSynthesized_thenEveryAlarmHasAnAction() {
        var stacks = new ArrayList<Stack>();
        Fixture.STACKS
                .regions()
                .values()
                .forEach(r -> stacks.addAll(List.of(r.foundation(), r.data(), r.media(), r.api(), r.services())));
        stacks.add(Fixture.STACKS.edge());
        int alarms = 0;

        for (Stack stack : stacks) {
            for (var alarm : Fixture.template(stack)
                    .findResources("AWS::CloudWatch::Alarm")
                    .entrySet()) {
                @SuppressWarnings("unchecked")
                var props = (Map<String, Object>) alarm.getValue().get("Properties");
                var actions = (List<?>) props.get("AlarmActions");
                assertTrue(
                        actions != null && !actions.isEmpty(),
                        stack.getStackName() + "/" + alarm.getKey() + " has no action");
                alarms++;
            }
        }

        assertTrue(alarms > 0);
    }

    @Test
    void givenEachRegion_whenSynthesized_thenItAlarmsOnQueuesErrorsLatencyRedisAuroraAndThrottles() {
        for (var region : Fixture.STACKS.regions().values()) {
            Set<String> metrics = List.of(region.data(), region.api(), region.services()).stream()
                    .flatMap(s -> Fixture.template(s).findResources("AWS::CloudWatch::Alarm").values().stream())
                    .map(AlarmsTest::metricNames)
                    .flatMap(Set::stream)
                    .collect(Collectors.toSet());

            for (String expected : List.of(
                    "QueueOldestAge",
                    "QueueDeadLetters",
                    "5xx",
                    "Latency",
                    "DatabaseMemoryUsagePercentage",
                    "CurrConnections",
                    "CPUUtilization",
                    "Throttles")) {
                assertTrue(
                        metrics.contains(expected),
                        region.data().getRegion() + " lacks an alarm on " + expected + ": " + metrics);
            }
            assertTrue(
                    metrics.contains("AuroraReplicaLagMaximum") || metrics.contains("AuroraGlobalDBReplicationLag"),
                    metrics.toString());
            assertFalse(metrics.isEmpty());
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> metricNames(Map<String, Object> alarm) {
        var props = (Map<String, Object>) alarm.get("Properties");
        if (props.containsKey("MetricName")) {
            return Set.of(props.get("MetricName").toString());
        }
        return ((List<Map<String, Object>>) props.get("Metrics"))
                .stream()
                        .filter(m -> m.containsKey("MetricStat"))
                        .map(m -> ((Map<String, Map<String, Object>>) m.get("MetricStat"))
                                .get("Metric")
                                .get("MetricName")
                                .toString())
                        .collect(Collectors.toSet());
    }
}
