-- Statistics rollups, so the Statistics page and `/api/v1/stats` never scan `plays`.
--
-- A play counts once, when it has ended (`ended_at IS NOT NULL`), in the UTC hour it started.
-- Triggers on `plays` keep the rollups in the same transaction as every play write: when an
-- ended play is written again (a replayed stop, a late location, a corrected total), its old
-- contribution is taken out and the new one added, so only the difference lands. Plays still
-- running are not counted yet (the dashboard shows them live).
--
-- Hour buckets let each query pick the owner's UTC offset: hours are summed into local days,
-- weekdays and hours of day by the service.

-- Plays, watch time and data sent per UTC hour and dimension.
CREATE TABLE stats_hourly (
    -- started_at / 3600000: whole UTC hours since the epoch.
    hour       INTEGER NOT NULL,
    server_id  INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES media_accounts (id) ON DELETE CASCADE,
    media_type TEXT    NOT NULL,
    -- '' when the player did not say.
    platform   TEXT    NOT NULL,
    product    TEXT    NOT NULL,
    decision   TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    played_ms  INTEGER NOT NULL,
    -- bandwidth_kbps × played_ms: bits sent (1 kbit/s for 1 ms is 1 bit).
    bits       INTEGER NOT NULL,
    PRIMARY KEY (hour, server_id, account_id, media_type, platform, product, decision)
) WITHOUT ROWID;

CREATE INDEX stats_hourly_server_hour ON stats_hourly (server_id, hour);

-- Plays of movies (by title and year) and of shows (episodes grouped by show) per UTC hour.
CREATE TABLE stats_titles (
    hour      INTEGER NOT NULL,
    server_id INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    -- 'movie' or 'show'.
    kind      TEXT    NOT NULL CHECK (kind IN ('movie', 'show')),
    title     TEXT    NOT NULL,
    -- The movie's year, 0 when unknown and for shows.
    year      INTEGER NOT NULL,
    plays     INTEGER NOT NULL,
    played_ms INTEGER NOT NULL,
    PRIMARY KEY (hour, server_id, kind, title, year)
) WITHOUT ROWID;

-- Streams that were running at some time within each 15-minute slot (started_at / 900000), per
-- server; a day's peak is the largest slot. Two plays inside one slot that did not overlap both
-- count, so this is the peak at a 15-minute resolution. A play counts in at most 192 slots (48 h).
CREATE TABLE stats_slots (
    server_id INTEGER NOT NULL REFERENCES media_servers (id) ON DELETE CASCADE,
    slot      INTEGER NOT NULL,
    streams   INTEGER NOT NULL,
    PRIMARY KEY (server_id, slot)
) WITHOUT ROWID;

CREATE INDEX stats_slots_slot ON stats_slots (slot);

-- 0..191: the slot offsets one play can cover (triggers cannot use recursive CTEs).
CREATE TABLE stats_slot_offsets (n INTEGER PRIMARY KEY);
WITH RECURSIVE o (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM o WHERE n < 191)
INSERT INTO stats_slot_offsets (n) SELECT n FROM o;

-- Backfill from the plays already stored.
INSERT INTO stats_hourly (hour, server_id, account_id, media_type, platform, product, decision, plays, played_ms, bits)
SELECT started_at / 3600000, server_id, account_id, media_type, COALESCE(platform, ''), COALESCE(product, ''),
       decision, COUNT(*), SUM(played_ms), SUM(COALESCE(bandwidth_kbps, 0) * played_ms)
FROM plays WHERE ended_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO stats_titles (hour, server_id, kind, title, year, plays, played_ms)
SELECT started_at / 3600000, server_id,
       CASE media_type WHEN 'movie' THEN 'movie' ELSE 'show' END,
       CASE media_type WHEN 'movie' THEN title ELSE COALESCE(grandparent_title, title) END,
       CASE media_type WHEN 'movie' THEN COALESCE(year, 0) ELSE 0 END,
       COUNT(*), SUM(played_ms)
FROM plays WHERE ended_at IS NOT NULL AND media_type IN ('movie', 'episode')
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO stats_slots (server_id, slot, streams)
SELECT p.server_id, p.started_at / 900000 + o.n, COUNT(*)
FROM plays p JOIN stats_slot_offsets o
  ON o.n <= MIN(191, MAX(p.started_at, p.ended_at - 1) / 900000 - p.started_at / 900000)
WHERE p.ended_at IS NOT NULL
GROUP BY 1, 2;

-- Keeping them current. Adding: an ended play's contribution.
CREATE TRIGGER plays_stats_add_insert AFTER INSERT ON plays WHEN NEW.ended_at IS NOT NULL
BEGIN
    INSERT INTO stats_hourly (hour, server_id, account_id, media_type, platform, product, decision, plays, played_ms, bits)
    VALUES (NEW.started_at / 3600000, NEW.server_id, NEW.account_id, NEW.media_type, COALESCE(NEW.platform, ''),
            COALESCE(NEW.product, ''), NEW.decision, 1, NEW.played_ms, COALESCE(NEW.bandwidth_kbps, 0) * NEW.played_ms)
    ON CONFLICT (hour, server_id, account_id, media_type, platform, product, decision) DO UPDATE SET
        plays = plays + 1, played_ms = played_ms + excluded.played_ms, bits = bits + excluded.bits;
    INSERT INTO stats_titles (hour, server_id, kind, title, year, plays, played_ms)
    SELECT NEW.started_at / 3600000, NEW.server_id,
           CASE NEW.media_type WHEN 'movie' THEN 'movie' ELSE 'show' END,
           CASE NEW.media_type WHEN 'movie' THEN NEW.title ELSE COALESCE(NEW.grandparent_title, NEW.title) END,
           CASE NEW.media_type WHEN 'movie' THEN COALESCE(NEW.year, 0) ELSE 0 END,
           1, NEW.played_ms
    WHERE NEW.media_type IN ('movie', 'episode')
    ON CONFLICT (hour, server_id, kind, title, year) DO UPDATE SET
        plays = plays + 1, played_ms = played_ms + excluded.played_ms;
    INSERT INTO stats_slots (server_id, slot, streams)
    SELECT NEW.server_id, NEW.started_at / 900000 + n, 1 FROM stats_slot_offsets
    WHERE n <= MIN(191, MAX(NEW.started_at, NEW.ended_at - 1) / 900000 - NEW.started_at / 900000)
    ON CONFLICT (server_id, slot) DO UPDATE SET streams = streams + 1;
END;

CREATE TRIGGER plays_stats_add_update AFTER UPDATE OF
    ended_at, started_at, played_ms, bandwidth_kbps, decision, platform, product, media_type, account_id, title,
    grandparent_title, year ON plays
WHEN NEW.ended_at IS NOT NULL
BEGIN
    INSERT INTO stats_hourly (hour, server_id, account_id, media_type, platform, product, decision, plays, played_ms, bits)
    VALUES (NEW.started_at / 3600000, NEW.server_id, NEW.account_id, NEW.media_type, COALESCE(NEW.platform, ''),
            COALESCE(NEW.product, ''), NEW.decision, 1, NEW.played_ms, COALESCE(NEW.bandwidth_kbps, 0) * NEW.played_ms)
    ON CONFLICT (hour, server_id, account_id, media_type, platform, product, decision) DO UPDATE SET
        plays = plays + 1, played_ms = played_ms + excluded.played_ms, bits = bits + excluded.bits;
    INSERT INTO stats_titles (hour, server_id, kind, title, year, plays, played_ms)
    SELECT NEW.started_at / 3600000, NEW.server_id,
           CASE NEW.media_type WHEN 'movie' THEN 'movie' ELSE 'show' END,
           CASE NEW.media_type WHEN 'movie' THEN NEW.title ELSE COALESCE(NEW.grandparent_title, NEW.title) END,
           CASE NEW.media_type WHEN 'movie' THEN COALESCE(NEW.year, 0) ELSE 0 END,
           1, NEW.played_ms
    WHERE NEW.media_type IN ('movie', 'episode')
    ON CONFLICT (hour, server_id, kind, title, year) DO UPDATE SET
        plays = plays + 1, played_ms = played_ms + excluded.played_ms;
    INSERT INTO stats_slots (server_id, slot, streams)
    SELECT NEW.server_id, NEW.started_at / 900000 + n, 1 FROM stats_slot_offsets
    WHERE n <= MIN(191, MAX(NEW.started_at, NEW.ended_at - 1) / 900000 - NEW.started_at / 900000)
    ON CONFLICT (server_id, slot) DO UPDATE SET streams = streams + 1;
END;

-- Taking out: the contribution an ended play had before it was rewritten or deleted.
CREATE TRIGGER plays_stats_retract_update AFTER UPDATE OF
    ended_at, started_at, played_ms, bandwidth_kbps, decision, platform, product, media_type, account_id, title,
    grandparent_title, year ON plays
WHEN OLD.ended_at IS NOT NULL
BEGIN
    UPDATE stats_hourly SET plays = plays - 1, played_ms = played_ms - OLD.played_ms,
        bits = bits - COALESCE(OLD.bandwidth_kbps, 0) * OLD.played_ms
    WHERE hour = OLD.started_at / 3600000 AND server_id = OLD.server_id AND account_id = OLD.account_id
      AND media_type = OLD.media_type AND platform = COALESCE(OLD.platform, '')
      AND product = COALESCE(OLD.product, '') AND decision = OLD.decision;
    UPDATE stats_titles SET plays = plays - 1, played_ms = played_ms - OLD.played_ms
    WHERE OLD.media_type IN ('movie', 'episode') AND hour = OLD.started_at / 3600000 AND server_id = OLD.server_id
      AND kind = CASE OLD.media_type WHEN 'movie' THEN 'movie' ELSE 'show' END
      AND title = CASE OLD.media_type WHEN 'movie' THEN OLD.title ELSE COALESCE(OLD.grandparent_title, OLD.title) END
      AND year = CASE OLD.media_type WHEN 'movie' THEN COALESCE(OLD.year, 0) ELSE 0 END;
    UPDATE stats_slots SET streams = streams - 1
    WHERE server_id = OLD.server_id AND slot >= OLD.started_at / 900000
      AND slot <= OLD.started_at / 900000 + MIN(191, MAX(OLD.started_at, OLD.ended_at - 1) / 900000 - OLD.started_at / 900000);
END;

CREATE TRIGGER plays_stats_retract_delete AFTER DELETE ON plays WHEN OLD.ended_at IS NOT NULL
BEGIN
    UPDATE stats_hourly SET plays = plays - 1, played_ms = played_ms - OLD.played_ms,
        bits = bits - COALESCE(OLD.bandwidth_kbps, 0) * OLD.played_ms
    WHERE hour = OLD.started_at / 3600000 AND server_id = OLD.server_id AND account_id = OLD.account_id
      AND media_type = OLD.media_type AND platform = COALESCE(OLD.platform, '')
      AND product = COALESCE(OLD.product, '') AND decision = OLD.decision;
    UPDATE stats_titles SET plays = plays - 1, played_ms = played_ms - OLD.played_ms
    WHERE OLD.media_type IN ('movie', 'episode') AND hour = OLD.started_at / 3600000 AND server_id = OLD.server_id
      AND kind = CASE OLD.media_type WHEN 'movie' THEN 'movie' ELSE 'show' END
      AND title = CASE OLD.media_type WHEN 'movie' THEN OLD.title ELSE COALESCE(OLD.grandparent_title, OLD.title) END
      AND year = CASE OLD.media_type WHEN 'movie' THEN COALESCE(OLD.year, 0) ELSE 0 END;
    UPDATE stats_slots SET streams = streams - 1
    WHERE server_id = OLD.server_id AND slot >= OLD.started_at / 900000
      AND slot <= OLD.started_at / 900000 + MIN(191, MAX(OLD.started_at, OLD.ended_at - 1) / 900000 - OLD.started_at / 900000);
END;
