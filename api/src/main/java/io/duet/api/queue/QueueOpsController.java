package io.duet.api.queue;

import io.duet.api.web.NotFoundException;
import io.duet.api.web.ProblemResponses;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Ops control of the job queues: state, concurrency, pause/resume, dead letters and their replay. */
@Controller("/ops/queues")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "ops")
@SecurityRequirement(name = "ops")
@ProblemResponses.Common
@ProblemResponses.Ops
class QueueOpsController {
    private final WorkerRuntime runtime;
    private final JobStreams streams;

    QueueOpsController(WorkerRuntime runtime, JobStreams streams) {
        this.runtime = runtime;
        this.streams = streams;
    }

    @Get
    @Operation(summary = "Every queue this node works on, with depth, pending, retrying, dead and oldest age")
    List<QueueState> list() {
        return runtime.states();
    }

    @ProblemResponses.NotFound
    @Get("/{name}")
    @Operation(summary = "One queue: depth, pending, retrying, dead, oldest age, concurrency, paused")
    QueueState show(@PathVariable String name) {
        return runtime.state(name).orElseThrow(() -> unknown(name));
    }

    @ProblemResponses.NotFound
    @Put("/{name}/concurrency")
    @Operation(summary = "Handler slots per node; every node applies it within a refresh interval, no restart")
    QueueState concurrency(@PathVariable String name, @Valid @Body SetConcurrencyRequest request) {
        return runtime.setConcurrency(name, request.concurrency()).orElseThrow(() -> unknown(name));
    }

    @ProblemResponses.NotFound
    @Post("/{name}/pause")
    @Operation(summary = "Stop handing out jobs on every node; jobs keep arriving and wait")
    QueueState pause(@PathVariable String name) {
        return runtime.setPaused(name, true).orElseThrow(() -> unknown(name));
    }

    @ProblemResponses.NotFound
    @Post("/{name}/resume")
    @Operation(summary = "Hand out jobs again after a pause")
    QueueState resume(@PathVariable String name) {
        return runtime.setPaused(name, false).orElseThrow(() -> unknown(name));
    }

    @ProblemResponses.NotFound
    @Get("/{name}/dead")
    @Operation(summary = "Dead letters, oldest first, each with its last error")
    List<JobStreams.DeadLetter> dead(
            @PathVariable String name, @Nullable @QueryValue @Min(1) @Max(1000) Integer limit) {
        runtime.worker(name).orElseThrow(() -> unknown(name));
        return streams.deadLetters(name, limit == null ? 100 : limit);
    }

    @ProblemResponses.NotFound
    @Post("/{name}/dead/replay")
    @Operation(summary = "Put dead letters back on the queue as first attempts: the given ids, or the oldest `limit`")
    ReplayResponse replay(@PathVariable String name, @Valid @Body ReplayRequest request) {
        runtime.worker(name).orElseThrow(() -> unknown(name));
        List<String> ids = request.ids() != null && !request.ids().isEmpty()
                ? request.ids()
                : streams.deadLetters(name, request.limit() == null ? 100 : request.limit()).stream()
                        .map(JobStreams.DeadLetter::id)
                        .toList();
        return new ReplayResponse(streams.replay(name, ids));
    }

    private static NotFoundException unknown(String name) {
        return new NotFoundException("A queue with this name");
    }

    @Serdeable
    record SetConcurrencyRequest(
            @Schema(example = "16") @NotNull @Min(0) @Max(1024)
            Integer concurrency) {}

    @Serdeable
    record ReplayRequest(
            @Schema(example = "[\"1733219400000-0\"]") @Nullable @Size(max = 1000)
            List<@jakarta.validation.constraints.Pattern(regexp = "\\d+-\\d+") String> ids,

            @Nullable @Min(1) @Max(1000) Integer limit) {}

    @Serdeable
    record ReplayResponse(@Schema(example = "12") long replayed) {}
}
