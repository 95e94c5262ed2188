-- Narrow statistics rollups, replacing 000009's `stats_hourly`, `stats_titles` and `stats_slots`
-- (one row per hour and every combination of account, platform, product and decision: about as
-- many rows as plays, too many to sum a year in time).
--
-- Each table is keyed only by what its figures need:
-- * `stats_hours`: per server and UTC hour, and per quarter of that hour: plays that started, their
--   watch time and bits, and streams running, for the charts over time (per local day, weekday and
--   hour of day, daily peaks). Every time zone in use has offsets that are multiples of 15 minutes,
--   so its local hours and days are whole quarters; the reader sums each stretch of constant offset
--   on its own, so days across a daylight-saving change have their 23 or 25 hours.
-- * `stats_totals`: plays, watch time and bits per server and key (platform, product, decision,
--   media type, movie, show, account) per UTC day, per UTC month and for all time. A period is read
--   as a few signed pieces (months, days, and the plays of at most two partial UTC days at its local
--   edges, read from `plays`), so the work depends on the number of keys, not on the period's length.
-- Server 0 holds the sum over all servers, so "all servers" reads as few rows as one server.
--
-- A play counts once, when it has ended (`ended_at IS NOT NULL`), at its start. Triggers on `plays`
-- keep the rollups in the write's transaction: before an ended play is rewritten or deleted its
-- contribution is taken out, and after an ended play is written its new one is added, so only the
-- difference lands. Both go through `stats_apply`, a view whose INSTEAD OF trigger is the one place
-- that knows how a play is rolled up; `stats_play_facts` is the one place that derives a play's
-- buckets and keys, shared by the triggers, the backfill and the reader's partial days.

DROP TRIGGER plays_stats_add_insert;
DROP TRIGGER plays_stats_add_update;
DROP TRIGGER plays_stats_retract_update;
DROP TRIGGER plays_stats_retract_delete;
DROP TABLE stats_hourly;
DROP TABLE stats_titles;
DROP TABLE stats_slots;
-- `stats_slot_offsets` (0..191) stays: triggers cannot use recursive CTEs to count hours.

-- Per server (0: all) and UTC hour (started_at / 1 h); suffixes 0–3 are the hour's quarters (0: :00
-- to :15 … 3: :45 to :00). A row exists for every hour a counted play started or streamed in.
CREATE TABLE stats_hours (
    server_id INTEGER NOT NULL,
    hour      INTEGER NOT NULL,
    -- Plays that started in the quarter.
    plays0    INTEGER NOT NULL,
    plays1    INTEGER NOT NULL,
    plays2    INTEGER NOT NULL,
    plays3    INTEGER NOT NULL,
    -- Their watch time.
    ms0       INTEGER NOT NULL,
    ms1       INTEGER NOT NULL,
    ms2       INTEGER NOT NULL,
    ms3       INTEGER NOT NULL,
    -- Their bandwidth_kbps × played_ms: bits sent (1 kbit/s for 1 ms is 1 bit).
    bits0     INTEGER NOT NULL,
    bits1     INTEGER NOT NULL,
    bits2     INTEGER NOT NULL,
    bits3     INTEGER NOT NULL,
    -- Streams running at some time within the quarter (two plays inside one quarter that did not
    -- overlap both count, so peaks have a 15-minute resolution). A play counts in at most 192
    -- quarters (48 h).
    streams0  INTEGER NOT NULL,
    streams1  INTEGER NOT NULL,
    streams2  INTEGER NOT NULL,
    streams3  INTEGER NOT NULL,
    PRIMARY KEY (server_id, hour)
) WITHOUT ROWID;

-- The labels rolled up: 1 platform, 2 product, 3 decision, 4 media type ('' when the player did
-- not say), 5 movie (title and year, 0 when unknown), 6 show (episodes by their show's title).
CREATE TABLE stats_keys (
    id    INTEGER PRIMARY KEY,
    dim   INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 6),
    label TEXT    NOT NULL,
    year  INTEGER NOT NULL,
    UNIQUE (dim, label, year)
);

-- Per server (0: all), dimension (1–6 as in `stats_keys`, 7 account), grain (0: UTC day, bucket =
-- started_at / 1 day; 1: UTC month, bucket = months since January 1970; 2: all time, bucket 0) and
-- key (`stats_keys.id`, or `media_accounts.id` for accounts).
CREATE TABLE stats_totals (
    server_id INTEGER NOT NULL,
    dim       INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 7),
    grain     INTEGER NOT NULL CHECK (grain IN (0, 1, 2)),
    bucket    INTEGER NOT NULL,
    key_id    INTEGER NOT NULL,
    plays     INTEGER NOT NULL,
    played_ms INTEGER NOT NULL,
    bits      INTEGER NOT NULL,
    PRIMARY KEY (server_id, dim, grain, bucket, key_id)
) WITHOUT ROWID;

-- What a counted play contributes, derived once.
CREATE VIEW stats_play_facts AS
SELECT id,
       server_id,
       account_id,
       started_at,
       played_ms,
       COALESCE(bandwidth_kbps, 0) * played_ms AS bits,
       started_at / 86400000 AS day,
       (CAST(strftime('%Y', started_at / 1000, 'unixepoch') AS INTEGER) - 1970) * 12
           + CAST(strftime('%m', started_at / 1000, 'unixepoch') AS INTEGER) - 1 AS month,
       started_at / 900000 AS first_slot,
       started_at / 900000 + MIN(191, MAX(started_at, ended_at - 1) / 900000 - started_at / 900000) AS last_slot,
       COALESCE(platform, '') AS platform,
       COALESCE(product, '') AS product,
       decision,
       media_type,
       CASE media_type WHEN 'movie' THEN 5 WHEN 'episode' THEN 6 END AS title_dim,
       CASE media_type WHEN 'movie' THEN title ELSE COALESCE(grandparent_title, title) END AS title_label,
       CASE media_type WHEN 'movie' THEN COALESCE(year, 0) ELSE 0 END AS title_year
FROM plays
WHERE ended_at IS NOT NULL;

-- A counted play's labels, one row per dimension (titles only for movies and episodes).
CREATE VIEW stats_play_labels AS
SELECT id, server_id, started_at, played_ms, bits, 1 AS dim, platform AS label, 0 AS year FROM stats_play_facts
UNION ALL SELECT id, server_id, started_at, played_ms, bits, 2, product, 0 FROM stats_play_facts
UNION ALL SELECT id, server_id, started_at, played_ms, bits, 3, decision, 0 FROM stats_play_facts
UNION ALL SELECT id, server_id, started_at, played_ms, bits, 4, media_type, 0 FROM stats_play_facts
UNION ALL SELECT id, server_id, started_at, played_ms, bits, title_dim, title_label, title_year FROM stats_play_facts
    WHERE title_dim IS NOT NULL;

-- Inserting a row here adds (sign 1) or takes out (sign -1) one play's contribution.
CREATE VIEW stats_apply (
    sign, server_id, account_id, started_at, played_ms, bits, day, month, first_slot, last_slot,
    platform, product, decision, media_type, title_dim, title_label, title_year
) AS SELECT 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', '', '', '', 0, '', 0 WHERE 0;

CREATE TRIGGER stats_apply_play INSTEAD OF INSERT ON stats_apply
BEGIN
    INSERT INTO stats_keys (dim, label, year)
    SELECT dim, label, year FROM (
        SELECT 1 AS dim, NEW.platform AS label, 0 AS year
        UNION ALL SELECT 2, NEW.product, 0
        UNION ALL SELECT 3, NEW.decision, 0
        UNION ALL SELECT 4, NEW.media_type, 0
        UNION ALL SELECT NEW.title_dim, NEW.title_label, NEW.title_year WHERE NEW.title_dim IS NOT NULL
    ) WHERE true
    ON CONFLICT (dim, label, year) DO NOTHING;

    INSERT INTO stats_totals (server_id, dim, grain, bucket, key_id, plays, played_ms, bits)
    SELECT s.id, k.dim, g.grain, CASE g.grain WHEN 0 THEN NEW.day WHEN 1 THEN NEW.month ELSE 0 END, k.key_id,
           NEW.sign, NEW.sign * NEW.played_ms, NEW.sign * NEW.bits
    FROM (SELECT NEW.server_id AS id UNION ALL SELECT 0) AS s
    CROSS JOIN (SELECT 0 AS grain UNION ALL SELECT 1 UNION ALL SELECT 2) AS g
    CROSS JOIN (
        SELECT w.dim AS dim, sk.id AS key_id
        FROM (
            SELECT 1 AS dim, NEW.platform AS label, 0 AS year
            UNION ALL SELECT 2, NEW.product, 0
            UNION ALL SELECT 3, NEW.decision, 0
            UNION ALL SELECT 4, NEW.media_type, 0
            UNION ALL SELECT NEW.title_dim, NEW.title_label, NEW.title_year WHERE NEW.title_dim IS NOT NULL
        ) AS w
        JOIN stats_keys sk ON sk.dim = w.dim AND sk.label = w.label AND sk.year = w.year
        UNION ALL SELECT 7, NEW.account_id
    ) AS k
    WHERE true
    ON CONFLICT (server_id, dim, grain, bucket, key_id) DO UPDATE SET
        plays = plays + excluded.plays, played_ms = played_ms + excluded.played_ms, bits = bits + excluded.bits;

    INSERT INTO stats_hours (server_id, hour, plays0, plays1, plays2, plays3, ms0, ms1, ms2, ms3,
                             bits0, bits1, bits2, bits3, streams0, streams1, streams2, streams3)
    SELECT s.id, NEW.started_at / 3600000,
           NEW.sign * (q.n = 0), NEW.sign * (q.n = 1), NEW.sign * (q.n = 2), NEW.sign * (q.n = 3),
           NEW.sign * NEW.played_ms * (q.n = 0), NEW.sign * NEW.played_ms * (q.n = 1),
           NEW.sign * NEW.played_ms * (q.n = 2), NEW.sign * NEW.played_ms * (q.n = 3),
           NEW.sign * NEW.bits * (q.n = 0), NEW.sign * NEW.bits * (q.n = 1),
           NEW.sign * NEW.bits * (q.n = 2), NEW.sign * NEW.bits * (q.n = 3),
           0, 0, 0, 0
    FROM (SELECT NEW.server_id AS id UNION ALL SELECT 0) AS s
    CROSS JOIN (SELECT NEW.first_slot % 4 AS n) AS q
    WHERE true
    ON CONFLICT (server_id, hour) DO UPDATE SET
        plays0 = plays0 + excluded.plays0, plays1 = plays1 + excluded.plays1,
        plays2 = plays2 + excluded.plays2, plays3 = plays3 + excluded.plays3,
        ms0 = ms0 + excluded.ms0, ms1 = ms1 + excluded.ms1, ms2 = ms2 + excluded.ms2, ms3 = ms3 + excluded.ms3,
        bits0 = bits0 + excluded.bits0, bits1 = bits1 + excluded.bits1,
        bits2 = bits2 + excluded.bits2, bits3 = bits3 + excluded.bits3;

    -- The quarters from first_slot to last_slot, hour by hour.
    INSERT INTO stats_hours (server_id, hour, plays0, plays1, plays2, plays3, ms0, ms1, ms2, ms3,
                             bits0, bits1, bits2, bits3, streams0, streams1, streams2, streams3)
    SELECT s.id, h.hour, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           NEW.sign * (h.hour * 4 BETWEEN NEW.first_slot AND NEW.last_slot),
           NEW.sign * (h.hour * 4 + 1 BETWEEN NEW.first_slot AND NEW.last_slot),
           NEW.sign * (h.hour * 4 + 2 BETWEEN NEW.first_slot AND NEW.last_slot),
           NEW.sign * (h.hour * 4 + 3 BETWEEN NEW.first_slot AND NEW.last_slot)
    FROM (SELECT NEW.server_id AS id UNION ALL SELECT 0) AS s
    CROSS JOIN (
        SELECT NEW.first_slot / 4 + n AS hour FROM stats_slot_offsets WHERE n <= NEW.last_slot / 4 - NEW.first_slot / 4
    ) AS h
    WHERE true
    ON CONFLICT (server_id, hour) DO UPDATE SET
        streams0 = streams0 + excluded.streams0, streams1 = streams1 + excluded.streams1,
        streams2 = streams2 + excluded.streams2, streams3 = streams3 + excluded.streams3;
END;

-- Keeping them current: what an ended play contributed comes out before it changes or goes...
CREATE TRIGGER plays_stats_retract_update BEFORE UPDATE OF
    server_id, account_id, started_at, ended_at, played_ms, bandwidth_kbps, decision, platform, product, media_type,
    title, grandparent_title, year ON plays
WHEN OLD.ended_at IS NOT NULL
BEGIN
    INSERT INTO stats_apply
    SELECT -1, server_id, account_id, started_at, played_ms, bits, day, month, first_slot, last_slot,
           platform, product, decision, media_type, title_dim, title_label, title_year
    FROM stats_play_facts WHERE id = OLD.id;
END;

CREATE TRIGGER plays_stats_retract_delete BEFORE DELETE ON plays WHEN OLD.ended_at IS NOT NULL
BEGIN
    INSERT INTO stats_apply
    SELECT -1, server_id, account_id, started_at, played_ms, bits, day, month, first_slot, last_slot,
           platform, product, decision, media_type, title_dim, title_label, title_year
    FROM stats_play_facts WHERE id = OLD.id;
END;

-- ...and what it contributes now goes in once it is written.
CREATE TRIGGER plays_stats_add_insert AFTER INSERT ON plays WHEN NEW.ended_at IS NOT NULL
BEGIN
    INSERT INTO stats_apply
    SELECT 1, server_id, account_id, started_at, played_ms, bits, day, month, first_slot, last_slot,
           platform, product, decision, media_type, title_dim, title_label, title_year
    FROM stats_play_facts WHERE id = NEW.id;
END;

CREATE TRIGGER plays_stats_add_update AFTER UPDATE OF
    server_id, account_id, started_at, ended_at, played_ms, bandwidth_kbps, decision, platform, product, media_type,
    title, grandparent_title, year ON plays
WHEN NEW.ended_at IS NOT NULL
BEGIN
    INSERT INTO stats_apply
    SELECT 1, server_id, account_id, started_at, played_ms, bits, day, month, first_slot, last_slot,
           platform, product, decision, media_type, title_dim, title_label, title_year
    FROM stats_play_facts WHERE id = NEW.id;
END;

-- Backfill from the plays already stored, set by set (the same sums the triggers keep).
INSERT INTO stats_keys (dim, label, year)
SELECT DISTINCT dim, label, year FROM stats_play_labels ORDER BY dim, label, year;

-- Days per server, then the sum over servers, months and all time from those.
INSERT INTO stats_totals (server_id, dim, grain, bucket, key_id, plays, played_ms, bits)
SELECT l.server_id, l.dim, 0, l.started_at / 86400000, k.id, COUNT(*), SUM(l.played_ms), SUM(l.bits)
FROM stats_play_labels AS l JOIN stats_keys AS k ON k.dim = l.dim AND k.label = l.label AND k.year = l.year
GROUP BY l.server_id, l.dim, l.started_at / 86400000, k.id;

INSERT INTO stats_totals (server_id, dim, grain, bucket, key_id, plays, played_ms, bits)
SELECT server_id, 7, 0, day, account_id, COUNT(*), SUM(played_ms), SUM(bits)
FROM stats_play_facts GROUP BY server_id, day, account_id;

INSERT INTO stats_totals (server_id, dim, grain, bucket, key_id, plays, played_ms, bits)
SELECT 0, dim, 0, bucket, key_id, SUM(plays), SUM(played_ms), SUM(bits)
FROM stats_totals WHERE grain = 0 AND server_id <> 0 GROUP BY dim, bucket, key_id;

INSERT INTO stats_totals (server_id, dim, grain, bucket, key_id, plays, played_ms, bits)
SELECT server_id, dim, 1,
       (CAST(strftime('%Y', bucket * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
           + CAST(strftime('%m', bucket * 86400, 'unixepoch') AS INTEGER) - 1,
       key_id, SUM(plays), SUM(played_ms), SUM(bits)
FROM stats_totals WHERE grain = 0 GROUP BY 1, 2, 4, 5;

INSERT INTO stats_totals (server_id, dim, grain, bucket, key_id, plays, played_ms, bits)
SELECT server_id, dim, 2, 0, key_id, SUM(plays), SUM(played_ms), SUM(bits)
FROM stats_totals WHERE grain = 1 GROUP BY server_id, dim, key_id;

-- Plays per hour and quarter of their start, then streams per quarter they ran in.
INSERT INTO stats_hours (server_id, hour, plays0, plays1, plays2, plays3, ms0, ms1, ms2, ms3,
                         bits0, bits1, bits2, bits3, streams0, streams1, streams2, streams3)
SELECT s.id, f.started_at / 3600000,
       SUM(f.first_slot % 4 = 0), SUM(f.first_slot % 4 = 1), SUM(f.first_slot % 4 = 2), SUM(f.first_slot % 4 = 3),
       SUM(f.played_ms * (f.first_slot % 4 = 0)), SUM(f.played_ms * (f.first_slot % 4 = 1)),
       SUM(f.played_ms * (f.first_slot % 4 = 2)), SUM(f.played_ms * (f.first_slot % 4 = 3)),
       SUM(f.bits * (f.first_slot % 4 = 0)), SUM(f.bits * (f.first_slot % 4 = 1)),
       SUM(f.bits * (f.first_slot % 4 = 2)), SUM(f.bits * (f.first_slot % 4 = 3)),
       0, 0, 0, 0
FROM stats_play_facts AS f
JOIN (SELECT id FROM media_servers UNION ALL SELECT 0) AS s ON s.id IN (f.server_id, 0)
GROUP BY 1, 2;

INSERT INTO stats_hours (server_id, hour, plays0, plays1, plays2, plays3, ms0, ms1, ms2, ms3,
                         bits0, bits1, bits2, bits3, streams0, streams1, streams2, streams3)
SELECT s.id, (f.first_slot + o.n) / 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
       SUM((f.first_slot + o.n) % 4 = 0), SUM((f.first_slot + o.n) % 4 = 1),
       SUM((f.first_slot + o.n) % 4 = 2), SUM((f.first_slot + o.n) % 4 = 3)
FROM stats_play_facts AS f
JOIN stats_slot_offsets AS o ON o.n <= f.last_slot - f.first_slot
JOIN (SELECT id FROM media_servers UNION ALL SELECT 0) AS s ON s.id IN (f.server_id, 0)
WHERE true
GROUP BY 1, 2
ON CONFLICT (server_id, hour) DO UPDATE SET
    streams0 = excluded.streams0, streams1 = excluded.streams1,
    streams2 = excluded.streams2, streams3 = excluded.streams3;
