-- Each signup attempt keeps its own credentials beside its own verification, and the code or link of an
-- attempt verifies that attempt only: a second, anonymous signup of a pending address can no longer
-- replace the password the owner chose (account pre-hijacking). An account may therefore have several
-- open verifications at once (one per attempt); verifying one retires the others.
-- Rows from before this migration have no credentials of their own and verify with the account's.
ALTER TABLE email_verification
    ADD COLUMN password_hash text,
    ADD COLUMN display_name  text,
    ADD COLUMN locale        text;
DROP INDEX email_verification_open;
CREATE INDEX email_verification_open ON email_verification (account_id, created_at) WHERE consumed_at IS NULL;
