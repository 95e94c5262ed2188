-- Which plays each incident involves (every session of its evidence, over all its occurrences), so
-- History can show a play's incidents without reading every incident's JSON. `play_id` is the
-- tracker's play id as the evidence carries it (16 hex digits of `plays.play_key`).

CREATE TABLE incident_plays (
    server_id   INTEGER NOT NULL,
    play_id     TEXT    NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (play_id, server_id, incident_id)
) WITHOUT ROWID;

CREATE INDEX incident_plays_incident ON incident_plays (incident_id);

INSERT OR IGNORE INTO incident_plays (server_id, play_id, incident_id)
SELECT json_extract(s.value, '$.server_id'), json_extract(s.value, '$.play_id'), i.id
FROM incidents i, json_each(i.violation_json, '$.evidence.sessions') s
WHERE json_extract(s.value, '$.play_id') IS NOT NULL AND json_extract(s.value, '$.server_id') IS NOT NULL;
