package io.duet.services.worker;

import io.micronaut.runtime.Micronaut;

/**
 * The job workers as a service of their own: {@code java -jar duet-worker-service.jar} with PostgreSQL,
 * Redis, SMTP and the media store in the environment. It runs the queues of {@code duet.queues.run}
 * (all of them by default) and serves {@code /health/*}, {@code /metrics} and the ops page and API. On
 * SIGTERM it stops taking jobs, lets in-flight ones finish within {@code shutdown-grace} and releases the
 * rest to other workers, which claim them: nothing is lost, an email in flight may be sent twice.
 */
public final class WorkerService {
    private WorkerService() {}

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(WorkerService.class)
                .environments("worker")
                .banner(false)
                .start();
    }
}
