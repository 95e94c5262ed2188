-- Sharing-detection rules (each the JSON of `sightline_domain::rules::Rule`, in evaluation order)
-- and incidents: a violation opens one, and repeats of the same condition (same rule, account and
-- cause) update it while it stays open, so a binge is one incident.

CREATE TABLE rules (
    id         TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    rule_json  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id        TEXT    NOT NULL,
    rule_kind      TEXT    NOT NULL,
    server_id      INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    -- The media server's user id of the account.
    user_id        TEXT    NOT NULL,
    condition_key  TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'acknowledged', 'dismissed')),
    summary        TEXT    NOT NULL,
    -- The latest violation, with its evidence.
    violation_json TEXT    NOT NULL,
    occurrences    INTEGER NOT NULL DEFAULT 1,
    opened_at      INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE UNIQUE INDEX incidents_one_open_per_condition ON incidents (condition_key) WHERE status = 'open';
CREATE INDEX incidents_updated_at ON incidents (updated_at);
