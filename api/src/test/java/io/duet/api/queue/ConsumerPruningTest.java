package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamConsumer;
import org.redisson.api.stream.StreamReadGroupArgs;

/** Consumer names left by restarted workers are pruned; one holding a pending job is kept. */
@MicronautTest(transactional = false)
class ConsumerPruningTest {
    @Inject
    JobStreams streams;

    @Inject
    RedissonClient redis;

    @Test
    void givenIdleConsumersOfDeadWorkers_whenPruned_thenOnlyThoseWithoutPendingJobsGo() {
        String queue = "prune-" + UUID.randomUUID().toString().substring(0, 8);
        streams.ensureGroup(queue);
        redis.<String, String>getStream(streams.streamKey(queue))
                .add(org.redisson.api.stream.StreamAddArgs.entries(java.util.Map.of(
                        "job", UUID.randomUUID().toString(), "payload", "{}", "attempt", "1", "enqueued", "0")));
        var stream = redis.<String, String>getStream(streams.streamKey(queue));
        stream.readGroup(
                JobStreams.GROUP, "holder", StreamReadGroupArgs.neverDelivered().count(1));
        stream.createConsumer(JobStreams.GROUP, "ghost");
        stream.createConsumer(JobStreams.GROUP, "me");

        int removed = streams.pruneConsumers(queue, "me", Duration.ZERO);

        assertEquals(1, removed);
        List<String> left = stream.listConsumers(JobStreams.GROUP).stream()
                .map(StreamConsumer::getName)
                .sorted()
                .toList();
        assertEquals(List.of("holder", "me"), left);
    }
}
