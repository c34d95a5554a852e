-- Uploaded images. The original sits in the media store under media/<id>/original; the worker writes
-- the variants beside it and lists them in media_variant. Deleting an account cascades to its media
-- rows; the purge job removes the files first.
CREATE TABLE media (
    id          uuid        PRIMARY KEY,
    owner_id    uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (kind IN ('avatar', 'photo')),
    status      text        NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
    format      text        NOT NULL,
    width       int         NOT NULL,
    height      int         NOT NULL,
    bytes       bigint      NOT NULL,
    error       text,
    created_at  timestamptz NOT NULL,
    finished_at timestamptz
);
CREATE INDEX media_owner ON media (owner_id);

CREATE TABLE media_variant (
    media_id     uuid   NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    name         text   NOT NULL,
    content_type text   NOT NULL,
    width        int    NOT NULL,
    height       int    NOT NULL,
    bytes        bigint NOT NULL,
    etag         text   NOT NULL,
    PRIMARY KEY (media_id, name)
);

-- The account's current avatar: the last avatar upload that became ready.
ALTER TABLE account ADD COLUMN avatar_media_id uuid REFERENCES media (id) ON DELETE SET NULL;
