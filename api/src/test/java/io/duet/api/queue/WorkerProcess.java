package io.duet.api.queue;

import io.micronaut.context.ApplicationContext;
import java.util.Map;

/** A worker-only process for CrashingWorkerTest: consumes one queue with a slow recording handler. */
public final class WorkerProcess {
    private WorkerProcess() {}

    public static void main(String[] args) throws InterruptedException {
        ApplicationContext.builder()
                .environments("test")
                .properties(Map.of(
                        "test.queues.recording", args[0],
                        "test.queues.recording-sleep-ms", "40",
                        "duet.queues.defaults.concurrency", "8"))
                .start();
        Thread.currentThread().join();
    }
}
