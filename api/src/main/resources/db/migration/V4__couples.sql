-- Couples: two accounts sharing a private space. An account belongs to at most one active couple: the
-- partial unique index on couple_member makes a second one impossible, not merely checked.
CREATE TABLE couple (
    id          uuid        PRIMARY KEY,
    home_region text        NOT NULL,
    created_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    -- The last message seq handed out: the row lock taken to raise it serializes the sends of one couple,
    -- which is what makes seq gap-free and strictly increasing.
    last_seq    bigint      NOT NULL DEFAULT 0
);
CREATE INDEX couple_ended ON couple (ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE couple_member (
    couple_id  uuid        NOT NULL REFERENCES couple (id) ON DELETE CASCADE,
    account_id uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    joined_at  timestamptz NOT NULL,
    left_at    timestamptz,
    -- Read marker: every message up to this seq has been read by this member.
    read_seq   bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (couple_id, account_id)
);
-- One active couple per account.
CREATE UNIQUE INDEX couple_member_active ON couple_member (account_id) WHERE left_at IS NULL;
-- The membership lookup of every couple request (an account has few rows: its couples, ended ones
-- included while their history is kept); INCLUDE makes it an index-only scan.
CREATE INDEX couple_member_account ON couple_member (account_id, left_at) INCLUDE (couple_id);

-- One open invite per account (a new one replaces it); codes are unique while they exist.
CREATE TABLE couple_invite (
    code       text        PRIMARY KEY,
    account_id uuid        NOT NULL UNIQUE REFERENCES account (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX couple_invite_expiry ON couple_invite (expires_at);

-- Messages, keyed by (couple, seq): a page is a backward range scan of the primary key. client_id makes
-- a retried send return the first message instead of writing a second.
CREATE TABLE message (
    couple_id  uuid        NOT NULL REFERENCES couple (id) ON DELETE CASCADE,
    seq        bigint      NOT NULL,
    client_id  uuid        NOT NULL,
    sender_id  uuid        NOT NULL,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (couple_id, seq)
);
CREATE UNIQUE INDEX message_client_id ON message (couple_id, client_id);
