-- The queues' runtime settings, set through the ops API and read by every worker node each refresh. They lived
-- in a Redis hash, so a Redis that lost its data (a restart without persistence, a failover without the last
-- writes) put a promotion's raised concurrency back to the default and un-paused a paused queue. Keyed by the
-- queue's Redis key (key prefix and name), so processes that share a database under another key prefix (a
-- benchmark's API) keep settings of their own.
CREATE TABLE queue_setting (
    queue_key    text        PRIMARY KEY,
    concurrency  integer     NOT NULL CHECK (concurrency >= 0),
    paused       boolean     NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
