package io.duet.api.queue;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.util.UUID;

/** A request path that enqueues a job in its transaction, as every feature's endpoint will. */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/test/jobs")
@Requires(env = "test")
@ExecuteOn(TaskExecutors.BLOCKING)
class TestJobController {
    private final Submitter submitter;

    TestJobController(Submitter submitter) {
        this.submitter = submitter;
    }

    @Post
    @Status(HttpStatus.ACCEPTED)
    Submitted submit(@Body Submit request) {
        return new Submitted(submitter.submit(request.queue(), request.payload()));
    }

    @Serdeable
    record Submit(String queue, String payload) {}

    @Serdeable
    record Submitted(UUID jobId) {}

    @Singleton
    @Requires(env = "test")
    static class Submitter {
        private final JobQueue jobs;

        Submitter(JobQueue jobs) {
            this.jobs = jobs;
        }

        @Transactional
        UUID submit(String queue, String payload) {
            return jobs.enqueue(queue, payload);
        }
    }
}
