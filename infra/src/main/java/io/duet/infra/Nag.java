package io.duet.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.constructs.IConstruct;

/**
 * A cdk-nag finding Duet accepts on one construct (and its children), with the reason written where the
 * construct is made. The tests fail on any finding without one.
 */
public final class Nag {
    private Nag() {}

    public static void accept(IConstruct construct, String rule, String reason) {
        NagSuppressions.addResourceSuppressions(
                construct,
                List.of(NagPackSuppression.builder().id(rule).reason(reason).build()),
                true);
    }
}
