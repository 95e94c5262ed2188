-- Notifications to the owner: where they go (`notify_destinations`: the settings in the clear, the
-- per-kind config with its URLs, tokens and passwords as one `SecretBox` envelope bound to
-- `notify_destinations|config_enc|<id>`) and the durable outbox (`notify_outbox`: one row per notice
-- and destination, delivered by the worker with retries; identical notices to one destination are
-- stored once through the unique dedupe key).

CREATE TABLE notify_destinations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    -- JSON array of event names (`EventKind::as_str`).
    events          TEXT    NOT NULL,
    min_severity    TEXT    NOT NULL CHECK (min_severity IN ('low', 'medium', 'high', 'critical')),
    allow_private   INTEGER NOT NULL CHECK (allow_private IN (0, 1)),
    rate_per_minute INTEGER NOT NULL CHECK (rate_per_minute >= 1),
    title_template  TEXT,
    body_template   TEXT,
    config_enc      TEXT    NOT NULL,
    -- The latest delivery attempt (worker or test button): when, whether it worked, and its sentence.
    last_at         INTEGER,
    last_ok         INTEGER CHECK (last_ok IN (0, 1)),
    last_outcome    TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    destination_id  INTEGER NOT NULL REFERENCES notify_destinations (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL,
    -- The `Notice` as JSON (template variables in plain text; no secrets).
    notice_json     TEXT    NOT NULL,
    dedupe_key      TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (destination_id, dedupe_key)
);

-- The worker's due query: the oldest queued row of each destination (its head), and whether the
-- destination has a row being sent.
CREATE INDEX notify_outbox_queued ON notify_outbox (destination_id, id) WHERE state = 'queued';
CREATE INDEX notify_outbox_sending ON notify_outbox (destination_id) WHERE state = 'sending';
-- Listing by state, newest change first, and purging old delivered/dead rows.
CREATE INDEX notify_outbox_state ON notify_outbox (state, updated_at);
