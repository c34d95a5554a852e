package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.capacity.CapacityInputs;
import io.duet.capacity.CapacityModel;
import io.duet.capacity.CapacityPlan;
import io.duet.infra.promotions.PromotionsFile;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The scheduled actions of every region are what the promotions file and the capacity model say, nothing else. */
class PromotionScheduleTest {
    private static final DateTimeFormatter AT =
            DateTimeFormatter.ofPattern("'at('yyyy-MM-dd'T'HH:mm:ss')'").withZone(ZoneOffset.UTC);

    @Test
    void
            givenThePromotionsFile_whenSynthesized_thenEachRegionsSignupAliasIsRaisedBeforeTheStartAndLoweredAfterTheEnd() {
        var config = Fixture.STACKS.config();
        var model = new CapacityModel(CapacityInputs.read(config.capacityInputsFile()));
        var plans = model.plan(
                PromotionsFile.read(config.promotionsFile(), config.regions().keySet()), Fixture.NOW);

        for (String region : config.regionsInDeployOrder()) {
            var regionPlans = plans.stream()
                    .filter(p -> p.promotion().region().equals(region))
                    .toList();
            Template api = Fixture.template(Fixture.region(region).api());
            int baseline = model.inputs().baselineProvisionedConcurrency();

            api.hasResourceProperties(
                    "AWS::ApplicationAutoScaling::ScalableTarget",
                    Map.of(
                            "ScalableDimension",
                            "lambda:function:ProvisionedConcurrency",
                            "MinCapacity",
                            baseline,
                            "ScheduledActions",
                            regionPlans.isEmpty()
                                    ? Match.absent()
                                    : Match.exact(expectedActions(
                                            regionPlans,
                                            baseline,
                                            model.signupReservedConcurrency(regionPlans),
                                            CapacityPlan::signupProvisionedConcurrency))));
        }
    }

    @Test
    void givenThePromotionsFile_whenSynthesized_thenWorkersAndGatewaysAreRaisedToThePlanAndBack() {
        var config = Fixture.STACKS.config();
        var model = new CapacityModel(CapacityInputs.read(config.capacityInputsFile()));
        var plans = Fixture.STACKS.plans().stream()
                .filter(p -> p.promotion().region().equals(config.primaryRegion()))
                .toList();
        var in = model.inputs();
        Template services = Fixture.template(Fixture.primary().services());

        services.hasResourceProperties(
                "AWS::ApplicationAutoScaling::ScalableTarget",
                Map.of(
                        "MinCapacity",
                        in.baselineWorkers(),
                        "MaxCapacity",
                        in.maxWorkers(),
                        "ScheduledActions",
                        Match.exact(
                                expectedActions(plans, in.baselineWorkers(), in.maxWorkers(), CapacityPlan::workers))));
        services.hasResourceProperties(
                "AWS::ApplicationAutoScaling::ScalableTarget",
                Map.of(
                        "MinCapacity",
                        in.baselineGateways(),
                        "MaxCapacity",
                        in.maxGateways(),
                        "ScheduledActions",
                        Match.exact(expectedActions(
                                plans, in.baselineGateways(), in.maxGateways(), CapacityPlan::gateways))));
    }

    @Test
    void givenAPromotionAlreadyOver_whenSynthesized_thenItHasNoScheduledAction() {
        var names =
                Fixture.STACKS.plans().stream().map(p -> p.promotion().name()).toList();

        assertEquals(List.of("spring-eu", "spring-ap"), names);
        String template = Fixture.template(Fixture.primary().api()).toJSON().toString();
        assertTrue(template.contains("Raise-spring-eu"));
        assertTrue(!template.contains("autumn-eu"), "autumn-eu ended before the clock; it must not be scheduled");
    }

    @Test
    void givenTheModel_whenTheEuPromotionIsPlanned_thenTheNumbersFollowFromTheInputs() {
        var plan = Fixture.STACKS.plans().getFirst();
        var model =
                new CapacityModel(CapacityInputs.read(Fixture.STACKS.config().capacityInputsFile()));

        // 6,000 signups/min = 100/s; (70 ms CPU on one vCPU + 25 ms I/O) x 100/s x headroom 2 = 19 instances.
        assertEquals(19, plan.signupProvisionedConcurrency());
        assertEquals(Instant.parse("2027-03-20T07:30:00Z"), plan.raiseAt());
        assertEquals(Instant.parse("2027-03-21T20:30:00Z"), plan.lowerAt());
        assertEquals(100.0, plan.emailsPerSecond(), 1e-9);
        assertEquals(2, plan.workers());
        assertEquals(20000 + 6000 * 30, plan.connections());
        assertEquals(model.gatewaysFor(plan.connections()), plan.gateways());
    }

    private static List<Map<String, Object>> expectedActions(
            List<CapacityPlan> plans, int baseline, int max, java.util.function.ToIntFunction<CapacityPlan> floor) {
        return plans.stream()
                .flatMap(p -> java.util.stream.Stream.of(
                        Map.<String, Object>of(
                                "ScalableTargetAction",
                                Map.of("MaxCapacity", max, "MinCapacity", floor.applyAsInt(p)),
                                "Schedule",
                                AT.format(p.raiseAt()),
                                "ScheduledActionName",
                                "Raise-" + p.promotion().name()),
                        Map.<String, Object>of(
                                "ScalableTargetAction",
                                Map.of("MaxCapacity", max, "MinCapacity", baseline),
                                "Schedule",
                                AT.format(p.lowerAt()),
                                "ScheduledActionName",
                                "Lower-" + p.promotion().name())))
                .toList();
    }
}
