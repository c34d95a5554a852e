package io.duet.infra;

import software.amazon.awscdk.App;

/** cdk-nag findings Duet accepts, each with its reason. */
final class NagSuppressionsForDuet {
    private NagSuppressionsForDuet() {}

    static void apply(App app, DeploymentConfig config) {}
}
