-- POST /v1/media with an Idempotency-Key: the key names one upload of its owner for as long as the item
-- exists, and the request's digest (SHA-256 of the kind and the body, hex) tells a retry from another upload
-- that reuses the key. The unique index is what settles two tries that race.
ALTER TABLE media ADD COLUMN idempotency_key text;
ALTER TABLE media ADD COLUMN request_digest text;
CREATE UNIQUE INDEX media_owner_idempotency_key ON media (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
