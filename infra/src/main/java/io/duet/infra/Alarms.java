package io.duet.infra;

import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.constructs.Construct;

/**
 * Every alarm of Duet's stacks is built the same way: above its threshold for {@code periods} periods, missing
 * data not breaching, and the region's alarm topic told when it fires and when it clears.
 */
public final class Alarms {
    private Alarms() {}

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
