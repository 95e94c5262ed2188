-- Media servers Sightline watches. The token is encrypted at rest (crypto::SecretBox envelope,
-- bound to this table, column and row), never stored in plain text.

CREATE TABLE media_servers (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('plex', 'jellyfin', 'emby')),
    name       TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    url        TEXT    NOT NULL,
    token_enc  TEXT    NOT NULL,
    color      TEXT    NOT NULL,
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
