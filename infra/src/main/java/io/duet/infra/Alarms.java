package io.duet.infra;

import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.constructs.Construct;

/**
 * Every alarm of Duet's stacks is built the same way: above its threshold for {@code periods} periods, missing
 * data not breaching, and the region's alarm topic told when it fires and when it clears.
 */
public final class Alarms {
    private Alarms() {}

    /** A CloudWatch metric of {@code namespace} over periods of {@code minutes}. */
    public static Metric metric(
            String namespace, String name, Map<String, String> dimensions, String statistic, int minutes) {
        return Metric.Builder.create()
                .namespace(namespace)
                .metricName(name)
                .dimensionsMap(dimensions)
                .statistic(statistic)
                .period(Duration.minutes(minutes))
                .build();
    }

    public static Alarm above(
            Construct scope,
            String id,
            String description,
            IMetric metric,
            double threshold,
            int periods,
            SnsAction topic) {
        var alarm = Alarm.Builder.create(scope, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .evaluationPeriods(periods)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(topic);
        alarm.addOkAction(topic);
        return alarm;
    }
}
