-- Accounts. The unique index on the normalized address (trimmed, lower-cased) makes a duplicate
-- account impossible however many signups of one address race each other.
CREATE TABLE account (
    id                  uuid        PRIMARY KEY,
    email               text        NOT NULL,
    email_normalized    text        NOT NULL,
    password_hash       text        NOT NULL,
    display_name        text        NOT NULL,
    locale              text        NOT NULL,
    verified_at         timestamptz,
    email_undeliverable boolean     NOT NULL DEFAULT false,
    taken_notice_at     timestamptz,
    created_at          timestamptz NOT NULL,
    deleted_at          timestamptz
);
CREATE UNIQUE INDEX account_email_normalized ON account (email_normalized) INCLUDE (id, verified_at, password_hash);

-- One verification per account at a time: a 6-digit code and a link token, both stored as keyed hashes
-- for checking and sealed (AES-GCM) so that a resend can repeat the same code while it is valid.
CREATE TABLE email_verification (
    id            uuid        PRIMARY KEY,
    account_id    uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    code_hash     bytea       NOT NULL,
    token_hash    bytea       NOT NULL UNIQUE,
    sealed        bytea       NOT NULL,
    attempts      int         NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    consumed_at   timestamptz,
    emails_sent   int         NOT NULL DEFAULT 0,
    last_email_at timestamptz
);
CREATE UNIQUE INDEX email_verification_open ON email_verification (account_id) WHERE consumed_at IS NULL;

-- Opaque refresh tokens, stored hashed. A family is one sign-in; every refresh rotates the token within
-- its family, and presenting a used token again revokes the whole family (it was stolen or replayed).
CREATE TABLE refresh_token (
    id          uuid        PRIMARY KEY,
    family_id   uuid        NOT NULL,
    account_id  uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_token_family ON refresh_token (family_id);
CREATE INDEX refresh_token_account ON refresh_token (account_id);
