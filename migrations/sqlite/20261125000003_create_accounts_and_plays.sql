-- Media-server accounts (the people who stream) and plays (one row per tracked playback).
-- A play row is written when it starts and updated while it runs; `ended_at IS NULL` marks the
-- plays in progress, whose `session_json` lets a restart (even kill -9) continue the same rows.

CREATE TABLE media_accounts (
    id               INTEGER PRIMARY KEY,
    server_id        INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    -- The server's own user id (Plex account id, Jellyfin/Emby user GUID).
    external_id      TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    thumb            TEXT,
    is_admin         INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    is_disabled      INTEGER NOT NULL DEFAULT 0 CHECK (is_disabled IN (0, 1)),
    -- How Sightline first learned of the account.
    source           TEXT    NOT NULL CHECK (source IN ('sync', 'stream')),
    first_seen_at    INTEGER NOT NULL,
    last_streamed_at INTEGER,
    synced_at        INTEGER,
    UNIQUE (server_id, external_id)
);

CREATE TABLE plays (
    id                INTEGER PRIMARY KEY,
    server_id         INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    -- The tracker's play id (63 bits), unique within the server.
    play_key          INTEGER NOT NULL,
    account_id        INTEGER NOT NULL REFERENCES media_accounts (id) ON DELETE CASCADE,
    -- The play_key of the earlier unfinished play of the same account and item this one resumes.
    resumes_key       INTEGER,
    session_key       TEXT    NOT NULL,
    item_key          TEXT    NOT NULL,
    media_type        TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    grandparent_title TEXT,
    parent_title      TEXT,
    season_number     INTEGER,
    episode_number    INTEGER,
    year              INTEGER,
    duration_ms       INTEGER,
    started_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    ended_at          INTEGER,
    stop_reason       TEXT,
    played_ms         INTEGER NOT NULL,
    paused_ms         INTEGER NOT NULL,
    position_ms       INTEGER,
    watched           INTEGER NOT NULL DEFAULT 0 CHECK (watched IN (0, 1)),
    short             INTEGER NOT NULL DEFAULT 0 CHECK (short IN (0, 1)),
    state             TEXT    NOT NULL,
    player_name       TEXT,
    device            TEXT,
    device_id         TEXT,
    product           TEXT,
    platform          TEXT,
    client_ip         TEXT,
    is_local          INTEGER,
    is_relayed        INTEGER NOT NULL DEFAULT 0,
    resolution        TEXT,
    width             INTEGER,
    height            INTEGER,
    bitrate_kbps      INTEGER,
    video_codec       TEXT,
    audio_codec       TEXT,
    hdr               INTEGER NOT NULL DEFAULT 0,
    video_decision    TEXT,
    audio_decision    TEXT,
    decision          TEXT    NOT NULL,
    hw_transcode      INTEGER NOT NULL DEFAULT 0,
    bandwidth_kbps    INTEGER,
    session_json      TEXT,
    UNIQUE (server_id, play_key)
);

CREATE INDEX plays_active ON plays (server_id) WHERE ended_at IS NULL;
CREATE INDEX plays_started_at ON plays (started_at);
CREATE INDEX plays_account_started_at ON plays (account_id, started_at);
CREATE INDEX plays_server_ended_at ON plays (server_id, ended_at) WHERE ended_at IS NOT NULL;
