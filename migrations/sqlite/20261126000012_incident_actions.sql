-- What the actions of a rule did for an incident: a message to the viewer or a stop of the stream,
-- scheduled and then done, skipped (with the reason) or failed; dry runs are recorded the same way
-- with `dry_run = 1`. `play_id` is the stream acted on (16 hex digits of `plays.play_key`).

CREATE TABLE incident_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    action      TEXT    NOT NULL CHECK (action IN ('stop_stream', 'message_client')),
    dry_run     INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
    status      TEXT    NOT NULL CHECK (status IN ('scheduled', 'done', 'skipped', 'failed')),
    detail      TEXT    NOT NULL,
    play_id     TEXT,
    -- When a scheduled action is due.
    due_at      INTEGER,
    created_at  INTEGER NOT NULL,
    -- When the status last changed.
    at          INTEGER NOT NULL
);

CREATE INDEX incident_actions_incident ON incident_actions (incident_id, id);
-- The latest real stops, for cooldowns.
CREATE INDEX incident_actions_done_stops ON incident_actions (at) WHERE action = 'stop_stream' AND status = 'done' AND dry_run = 0;
-- Actions still waiting (abandoned at the next start if Sightline stopped first).
CREATE INDEX incident_actions_scheduled ON incident_actions (status) WHERE status = 'scheduled';
