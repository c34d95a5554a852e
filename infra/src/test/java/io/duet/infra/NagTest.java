package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

/** cdk-nag's AwsSolutions pack (errors, warnings, and rules it could not evaluate) finds nothing that is not accepted with a reason (Nag.accept). */
class NagTest {

    @Test
    void givenEveryStack_whenChecked_thenNoAwsSolutionsFindingIsLeft() {
        var stacks = new ArrayList<Stack>();
        Fixture.STACKS
                .regions()
                .values()
                .forEach(r -> stacks.addAll(List.of(r.foundation(), r.data(), r.media(), r.api(), r.services())));
        stacks.add(Fixture.STACKS.edge());
        var findings = new ArrayList<String>();

        for (Stack stack : stacks) {
            for (var message :
                    Fixture.ASSEMBLY.getStackArtifact(stack.getArtifactId()).getMessages()) {
                String data = String.valueOf(message.getEntry().getData());
                if (data.contains("AwsSolutions-") || data.contains("CdkNagValidationFailure")) {
                    findings.add(message.getLevel() + " " + message.getId() + " " + data);
                }
            }
        }

        assertTrue(findings.isEmpty(), String.join("\n", findings));
    }

    @Test
    void givenThePrimaryServicesStack_whenReadThroughAnnotations_thenNoAwsSolutionsErrorOrWarningIsLeft() {
        // The same check through the assertions API (it synthesizes the app again, so once, on the largest stack).
        var annotations = Annotations.fromStack(Fixture.primary().services());

        assertTrue(annotations
                .findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                .isEmpty());
        assertTrue(annotations
                .findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                .isEmpty());
    }

    @Test
    void givenAResourceThatBreaksARule_whenChecked_thenTheCheckReportsIt() {
        // The check above must be able to fail: an unencrypted, unlogged bucket is reported by the same pack.
        var app = new software.amazon.awscdk.App();
        var stack = new Stack(
                app,
                "Probe",
                software.amazon.awscdk.StackProps.builder()
                        .env(software.amazon.awscdk.Environment.builder()
                                .account("111111111111")
                                .region("eu-west-1")
                                .build())
                        .build());
        new software.amazon.awscdk.services.s3.CfnBucket(stack, "Bare");
        software.amazon.awscdk.Aspects.of(app).add(new io.github.cdklabs.cdknag.AwsSolutionsChecks());

        var errors = Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-S1.*"));

        assertTrue(!errors.isEmpty());
    }
}
