-- Trust scores of media-server accounts (the current score, and the start of the incident-free
-- stretch that recovery counts whole days from) with one history row per change; rule snoozes per
-- account; per-account detection settings (household networks, stream limit) as the JSON of
-- `sightline_domain::rules::UserSettings`. Accounts are keyed like incidents: server + the media
-- server's user id.

CREATE TABLE trust_scores (
    server_id   INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    clean_since INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (server_id, user_id)
);

CREATE TABLE trust_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id    INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    user_id      TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('incident', 'recovery', 'override')),
    score_before INTEGER NOT NULL CHECK (score_before BETWEEN 0 AND 100),
    score_after  INTEGER NOT NULL CHECK (score_after BETWEEN 0 AND 100),
    reason       TEXT    NOT NULL,
    incident_id  INTEGER REFERENCES incidents (id) ON DELETE SET NULL,
    actor        TEXT    NOT NULL
);
CREATE INDEX trust_history_account ON trust_history (server_id, user_id, id);

-- While `until` is in the future, detection evaluates the rule for the account but records nothing.
CREATE TABLE rule_snoozes (
    rule_id    TEXT    NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    server_id  INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    until      INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, server_id, user_id)
);
CREATE INDEX rule_snoozes_account ON rule_snoozes (server_id, user_id, until);

CREATE TABLE account_settings (
    server_id     INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    user_id       TEXT    NOT NULL,
    settings_json TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (server_id, user_id)
);
