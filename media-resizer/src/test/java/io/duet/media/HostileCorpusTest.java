package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.api.media.MediaStore;
import io.duet.api.media.ResizeJob;
import io.duet.api.queue.JobQueue;
import io.duet.api.testing.TestImages;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every file of the hostile corpus through the real pipeline: once through POST /v1/media (the intake
 * checks, then the worker), once handed to the worker directly (as if the intake had let it through),
 * then a healthy photo to show the worker still works.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileCorpusTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    MediaStore store;

    @Inject
    JobQueue jobs;

    @Inject
    TransactionOperations<Connection> transactions;

    private MediaApi api;
    private Map<String, HostileCorpus.Entry> corpus;

    @BeforeAll
    void setUp() throws Exception {
        api = new MediaApi(server.getPort(), json);
        corpus = HostileCorpus.entries();
    }

    @Test
    void givenHostileFiles_whenUploaded_thenEachRefusedAtIntakeOrFailedWithItsCode_andTheWorkerKeepsWorking()
            throws Exception {
        var owner = MediaApi.user();
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();

        for (HostileCorpus.Entry entry : corpus.values()) {
            var answer = api.upload(owner, "photo", entry.bytes());
            String intake =
                    answer.status() == 202 ? "accepted" : (String) answer.json().get("code");
            String worker = "-";
            if (answer.status() == 202) {
                worker = outcome(api.awaitDone(owner, answer.json().get("id")));
            } else if (answer.status() >= 500) {
                intake = "server-error " + answer.status();
            }
            expected.add(entry.name() + " intake=" + entry.intake() + " worker="
                    + (entry.intake().equals("accepted") ? entry.worker() : "-"));
            actual.add(entry.name() + " intake=" + intake + " worker=" + worker);
        }

        assertEquals(String.join("\n", expected), String.join("\n", actual));
        assertHealthyPhotoStillRenders(owner);
    }

    @Test
    void givenHostileFilesPastTheIntake_whenTheWorkerGetsThem_thenEachEndsFailedWithItsCode() throws Exception {
        var owner = MediaApi.user();
        Map<UUID, HostileCorpus.Entry> enqueued = new java.util.LinkedHashMap<>();
        for (HostileCorpus.Entry entry : corpus.values()) {
            enqueued.put(handToWorker(owner.id(), entry.bytes()), entry);
        }

        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (var item : enqueued.entrySet()) {
            expected.add(item.getValue().name() + " " + item.getValue().worker());
            actual.add(item.getValue().name() + " " + outcome(api.awaitDone(owner, item.getKey())));
        }

        assertEquals(String.join("\n", expected), String.join("\n", actual));
        assertHealthyPhotoStillRenders(owner);
    }

    private void assertHealthyPhotoStillRenders(MediaApi.User owner) throws Exception {
        var healthy = api.upload(owner, "photo", TestImages.jpeg(TestImages.photo(1000, 750, 99), 0.85f));
        assertEquals("ready", outcome(api.awaitDone(owner, healthy.json().get("id"))));
    }

    /** What the worker sees when the intake is bypassed: an original in the store, a row, a job. */
    private UUID handToWorker(UUID ownerId, byte[] bytes) throws Exception {
        UUID id = UUID.randomUUID();
        store.put(MediaStore.originalKey(id), bytes, "application/octet-stream");
        transactions.executeWrite(status -> {
            try (var insert = status.getConnection().prepareStatement("""
                    INSERT INTO media (id, owner_id, kind, status, format, width, height, bytes, created_at)
                    VALUES (?, ?, 'photo', 'processing', 'jpeg', 1, 1, ?, ?)""")) {
                insert.setObject(1, id);
                insert.setObject(2, ownerId);
                insert.setLong(3, bytes.length);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            return jobs.enqueue(ResizeJob.QUEUE, "{\"v\":1,\"mediaId\":\"" + id + "\"}");
        });
        return id;
    }

    private static String outcome(Map<String, Object> status) {
        return "ready".equals(status.get("status")) ? "ready" : String.valueOf(status.get("error"));
    }
}
