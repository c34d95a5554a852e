-- PostgreSQL stays the record of a job until its effect is recorded: relaying a job to Redis marks its
-- outbox row with the relay's epoch and sequence number instead of deleting it, and the row goes once the
-- job is in processed_job. If Redis loses data (restarted empty, or a replica promoted without the last
-- writes), the reconciler compares each relayed row's (epoch, seq) with what Redis still holds and relays
-- again the jobs it lost (io.duet.api.queue.OutboxRelay). relayed_to names the Redis (host:port/db): a relay
-- judges only what it sent to its own.
ALTER TABLE outbox_job
    ADD COLUMN relayed_to    text,
    ADD COLUMN relayed_epoch text,
    ADD COLUMN relayed_seq   bigint;
CREATE INDEX outbox_job_unrelayed ON outbox_job (position) WHERE relayed_seq IS NULL;
