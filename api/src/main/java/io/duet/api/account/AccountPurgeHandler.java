package io.duet.api.account;

import io.duet.api.media.MediaService;
import io.duet.api.queue.Job;
import io.duet.api.queue.JobHandler;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code account-purge} queue: removes everything of a deleted account. Deleting the account row
 * cascades to its verifications, refresh tokens and media rows (whose files are removed first) and its
 * realtime event log in Redis is deleted; couples
 * and messages join this list as their features arrive (each behind a foreign key with ON DELETE CASCADE or a step here).
 */
@Singleton
class AccountPurgeHandler implements JobHandler {
    static final String QUEUE = "account-purge";
    private static final Logger LOG = LoggerFactory.getLogger(AccountPurgeHandler.class);
    private final AccountRepository accounts;
    private final MediaService media;
    private final io.duet.api.events.UserEvents events;
    private final ObjectMapper json;

    AccountPurgeHandler(
            AccountRepository accounts, MediaService media, io.duet.api.events.UserEvents events, ObjectMapper json) {
        this.events = events;
        this.accounts = accounts;
        this.media = media;
        this.json = json;
    }

    /** Version 1 of the payload. */
    @Serdeable
    record PurgeJob(int v, UUID accountId) {}

    static String payload(UUID accountId) {
        return "{\"v\":1,\"accountId\":\"" + accountId + "\"}";
    }

    @Override
    public String queue() {
        return QUEUE;
    }

    @Override
    public void handle(Job job) throws IOException {
        UUID accountId = job.payload(json, PurgeJob.class, purge -> purge.v() == 1 && purge.accountId() != null)
                .accountId();
        // Files first: a failure here retries the job with the rows (and so the list of files) still there.
        int mediaItems = media.removeFilesOf(accountId);
        // The user's realtime log holds message texts for up to duet.events.idle-ttl: gone with the account.
        // The partner's log is left alone: the messages this user sent stay in the couple's history, which
        // the partner may read for the couple's grace period (duet.couples.history-grace) whatever the log holds.
        events.purge(accountId);
        int removed = accounts.purge(accountId);
        LOG.atInfo()
                .addKeyValue("accountId", accountId)
                .addKeyValue("removed", removed)
                .addKeyValue("mediaItems", mediaItems)
                .log("account purged");
    }
}
