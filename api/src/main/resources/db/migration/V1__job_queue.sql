-- Transactional outbox: a job is inserted in the same transaction as the data that causes it and
-- relayed to its Redis stream after commit (io.duet.api.queue.OutboxRelay). Rows leave the table only
-- once Redis has the job, so a crash or a Redis outage delays jobs but never loses one.
CREATE TABLE outbox_job (
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      uuid        NOT NULL UNIQUE,
    queue       text        NOT NULL,
    payload     text        NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Jobs whose effect is done. The primary key makes a redelivered job a no-op: its handler runs in the
-- same transaction as this insert, so the effect and the marker commit together or not at all.
CREATE TABLE processed_job (
    job_id       uuid        PRIMARY KEY,
    queue        text        NOT NULL,
    processed_at timestamptz NOT NULL
);
CREATE INDEX processed_job_processed_at ON processed_job (processed_at);
