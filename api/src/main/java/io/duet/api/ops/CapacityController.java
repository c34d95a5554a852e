package io.duet.api.ops;

import io.duet.api.web.Problem;
import io.duet.api.web.ProblemException;
import io.duet.api.web.ProblemResponses;
import io.duet.capacity.CapacityInputs;
import io.duet.capacity.CapacityModel;
import io.duet.capacity.InvalidPromotionException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;

/**
 * The promotion panel of the ops page: what the capacity model ({@link CapacityModel}, the one the CDK app
 * schedules promotions with) says this region needs at a target rate of signups, beside what is running now as
 * the nodes report it ({@link Fleet}).
 */
@Controller("/ops/capacity")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "ops")
@SecurityRequirement(name = "ops")
@ProblemResponses.Common
@ProblemResponses.Ops
class CapacityController {
    static final int DEFAULT_TARGET = 10_000;

    private final CapacityModel model = new CapacityModel(CapacityInputs.standard());
    private final @Nullable Fleet fleet;

    CapacityController(@Nullable Fleet fleet) {
        this.fleet = fleet;
    }

    @Get
    @Operation(
            summary = "What this region needs for a target of signups per minute (the infra's capacity model), beside"
                    + " what runs now")
    @ApiResponse(
            responseCode = "422",
            description = "beyond-capacity-limits: the target exceeds an account limit or a service's ceiling",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "beyond-capacity-limits", value = """
                            {"type":"https://duet.dev/problems/beyond-capacity-limits","title":"Beyond capacity limits",\
                            "status":422,"detail":"15000 signups/min: sends 250 verification emails/s, beyond the \
                            account's SES rate of 200/s; ask for a sending-rate increase first",\
                            "code":"beyond-capacity-limits","requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c"}""")))
    Capacity capacity(
            @Nullable @QueryValue @Min(0) @Max(10_000_000) @Schema(example = "10000") Integer signupsPerMinute) {
        int target = signupsPerMinute == null ? DEFAULT_TARGET : signupsPerMinute;
        CapacityModel.Needs needs;
        try {
            needs = model.needs(target);
        } catch (InvalidPromotionException e) {
            throw new BeyondLimitsException(e.getMessage());
        }
        List<Fleet.Member> nodes = fleet == null ? List.of() : fleet.members();
        Running running = new Running(
                fleet != null,
                count(nodes, "api"),
                count(nodes, "worker"),
                count(nodes, "gateway"),
                nodes.stream().mapToLong(Fleet.Member::connections).sum(),
                nodes.stream().mapToLong(Fleet.Member::mailsPerMinute).sum(),
                nodes);
        return new Capacity(
                new Needed(
                        needs.signupsPerMinute(),
                        needs.signupProvisionedConcurrency(),
                        needs.emailsPerSecond(),
                        needs.workers(),
                        needs.connections(),
                        needs.gateways(),
                        model.connectionsPerGateway()),
                running);
    }

    private static int count(List<Fleet.Member> nodes, String role) {
        return (int) nodes.stream().filter(n -> n.roles().contains(role)).count();
    }

    /** 422 {@code beyond-capacity-limits}: the model refuses the target and says which limit it passes. */
    static final class BeyondLimitsException extends ProblemException {
        BeyondLimitsException(String detail) {
            super("beyond-capacity-limits", "Beyond capacity limits", HttpStatus.UNPROCESSABLE_ENTITY, detail);
        }
    }

    @Serdeable
    record Capacity(Needed needed, Running running) {}

    /**
     * @param signupProvisionedConcurrency the signup function's provisioned concurrency (Lambda; the infra's
     *     scheduled scaling sets it, a node cannot see it)
     * @param connectionsPerGateway what one gateway task holds in the model
     */
    @Serdeable
    record Needed(
            @Schema(example = "10000") int signupsPerMinute,
            @Schema(example = "32") int signupProvisionedConcurrency,
            @Schema(example = "166.7") double emailsPerSecond,
            @Schema(example = "6") int workers,
            @Schema(example = "320000") long connections,
            @Schema(example = "9") int gateways,
            @Schema(example = "40000") long connectionsPerGateway) {}

    /**
     * @param reported whether nodes report here at all ({@code duet.ops.fleet.enabled}); when false the counts are
     *     unknown, not zero
     * @param mailsPerMinute verification mails sent over the last minute (close to the signup rate once the
     *     email queue keeps up)
     */
    @Serdeable
    record Running(
            @Schema(example = "true") boolean reported,
            @Schema(example = "0") int apiNodes,
            @Schema(example = "4") int workers,
            @Schema(example = "6") int gateways,
            @Schema(example = "52000") long connections,
            @Schema(example = "1450") long mailsPerMinute,
            List<Fleet.Member> nodes) {}
}
