-- People: the person behind one or more media-server accounts (the same friend on two Plex servers
-- and a Jellyfin server), and per-account rollups so the Users list and a user's page never scan
-- `plays`.
--
-- Every account belongs to exactly one person. A new account gets a person of its own from the
-- insert trigger below (existing accounts get one each here), so lists, links and merges deal in
-- one kind of id and never in "an account, or a person". Merging moves accounts to one person;
-- splitting gives an account a new person again; a person left without accounts is deleted by
-- trigger, so every person has at least one account. `person_id` is declared nullable only
-- because SQLite cannot add a NOT NULL column that references another table; the triggers keep
-- it set.

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    -- The owner's name for the person; NULL: the name of the person's first account (lowest id),
    -- so a person follows renames on the media server until the owner names them.
    name       TEXT,
    created_at INTEGER NOT NULL
);

ALTER TABLE media_accounts ADD COLUMN person_id INTEGER REFERENCES people (id);

-- Existing accounts: one person each, with the account's id.
INSERT INTO people (id, name, created_at) SELECT id, NULL, first_seen_at FROM media_accounts;
UPDATE media_accounts SET person_id = id;

CREATE INDEX media_accounts_person ON media_accounts (person_id);

CREATE TRIGGER media_accounts_person_on_insert AFTER INSERT ON media_accounts WHEN NEW.person_id IS NULL
BEGIN
    INSERT INTO people (name, created_at) VALUES (NULL, NEW.first_seen_at);
    -- Inside a trigger, last_insert_rowid() is the row the trigger just inserted.
    UPDATE media_accounts SET person_id = last_insert_rowid() WHERE id = NEW.id;
END;

CREATE TRIGGER media_accounts_person_on_move AFTER UPDATE OF person_id ON media_accounts
WHEN OLD.person_id IS NOT NEW.person_id
BEGIN
    DELETE FROM people WHERE id = OLD.person_id
      AND NOT EXISTS (SELECT 1 FROM media_accounts WHERE person_id = OLD.person_id);
END;

CREATE TRIGGER media_accounts_person_on_delete AFTER DELETE ON media_accounts
BEGIN
    DELETE FROM people WHERE id = OLD.person_id
      AND NOT EXISTS (SELECT 1 FROM media_accounts WHERE person_id = OLD.person_id);
END;

-- A user's incidents, newest first, without walking every incident.
CREATE INDEX incidents_account_updated_at ON incidents (server_id, user_id, updated_at);

-- Rollups per account, kept by triggers on `plays` in the write's transaction: every play row
-- counts (running ones too, with the time played so far). `plays` and `played_ms` follow inserts,
-- updates and deletes exactly; `first_play_at` and `last_seen_at` are high-water marks (the first
-- start and the last sighting Sightline recorded), which deleting history does not lower. A row
-- whose count falls to zero is removed.

CREATE TABLE account_totals (
    account_id    INTEGER PRIMARY KEY REFERENCES media_accounts (id) ON DELETE CASCADE,
    plays         INTEGER NOT NULL,
    played_ms     INTEGER NOT NULL,
    first_play_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);

-- Players: by the device id the server reports, else ('~' and) the player's name. The names shown
-- are those of the newest play.
CREATE TABLE account_devices (
    account_id    INTEGER NOT NULL REFERENCES media_accounts (id) ON DELETE CASCADE,
    device_key    TEXT    NOT NULL,
    player_name   TEXT,
    device        TEXT,
    product       TEXT,
    platform      TEXT,
    plays         INTEGER NOT NULL,
    played_ms     INTEGER NOT NULL,
    first_play_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, device_key)
) WITHOUT ROWID;

-- Client addresses, with where GeoIP placed them on their newest looked-up play (`located_at`:
-- that play's last sighting).
CREATE TABLE account_addresses (
    account_id    INTEGER NOT NULL REFERENCES media_accounts (id) ON DELETE CASCADE,
    ip            TEXT    NOT NULL,
    plays         INTEGER NOT NULL,
    first_play_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    located_at    INTEGER,
    city          TEXT,
    region        TEXT,
    country_code  TEXT,
    country_name  TEXT,
    latitude      REAL,
    longitude     REAL,
    asn           INTEGER,
    asn_org       TEXT,
    PRIMARY KEY (account_id, ip)
) WITHOUT ROWID;

-- Backfill from the plays already stored.
INSERT INTO account_totals (account_id, plays, played_ms, first_play_at, last_seen_at)
SELECT account_id, COUNT(*), SUM(played_ms), MIN(started_at), MAX(last_seen_at) FROM plays GROUP BY account_id;

-- (A bare column next to a single MAX() comes from the row holding that maximum.)
INSERT INTO account_devices (account_id, device_key, player_name, device, product, platform, plays, played_ms,
                             first_play_at, last_seen_at)
SELECT t.account_id, t.device_key, n.player_name, n.device, n.product, n.platform, t.plays, t.played_ms,
       t.first_play_at, t.last_seen_at
FROM (SELECT account_id, COALESCE(NULLIF(device_id, ''), '~' || COALESCE(player_name, device, product, '')) AS device_key,
             COUNT(*) AS plays, SUM(played_ms) AS played_ms, MIN(started_at) AS first_play_at,
             MAX(last_seen_at) AS last_seen_at
      FROM plays GROUP BY 1, 2) t
JOIN (SELECT account_id, COALESCE(NULLIF(device_id, ''), '~' || COALESCE(player_name, device, product, '')) AS device_key,
             MAX(last_seen_at), player_name, device, product, platform
      FROM plays GROUP BY 1, 2) n ON n.account_id = t.account_id AND n.device_key = t.device_key;

INSERT INTO account_addresses (account_id, ip, plays, first_play_at, last_seen_at, located_at, city, region,
                               country_code, country_name, latitude, longitude, asn, asn_org)
SELECT t.account_id, t.ip, t.plays, t.first_play_at, t.last_seen_at, g.located_at, g.city, g.region, g.country_code,
       g.country_name, g.latitude, g.longitude, g.asn, g.asn_org
FROM (SELECT account_id, client_ip AS ip, COUNT(*) AS plays, MIN(started_at) AS first_play_at,
             MAX(last_seen_at) AS last_seen_at
      FROM plays WHERE client_ip IS NOT NULL GROUP BY 1, 2) t
LEFT JOIN (SELECT account_id, client_ip AS ip, MAX(last_seen_at) AS located_at, city, region, country_code,
                  country_name, latitude, longitude, asn, asn_org
           FROM plays WHERE client_ip IS NOT NULL AND (address_class IS NOT NULL OR country_code IS NOT NULL)
           GROUP BY 1, 2) g ON g.account_id = t.account_id AND g.ip = t.ip;

-- Keeping them current. Inserted plays add; deleted plays are taken out.
CREATE TRIGGER plays_people_on_insert AFTER INSERT ON plays
BEGIN
    INSERT INTO account_totals (account_id, plays, played_ms, first_play_at, last_seen_at)
    VALUES (NEW.account_id, 1, NEW.played_ms, NEW.started_at, NEW.last_seen_at)
    ON CONFLICT (account_id) DO UPDATE SET plays = plays + 1, played_ms = played_ms + excluded.played_ms,
        first_play_at = MIN(first_play_at, excluded.first_play_at),
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at);
    INSERT INTO account_devices (account_id, device_key, player_name, device, product, platform, plays, played_ms,
                                 first_play_at, last_seen_at)
    VALUES (NEW.account_id,
            COALESCE(NULLIF(NEW.device_id, ''), '~' || COALESCE(NEW.player_name, NEW.device, NEW.product, '')),
            NEW.player_name, NEW.device, NEW.product, NEW.platform, 1, NEW.played_ms, NEW.started_at, NEW.last_seen_at)
    ON CONFLICT (account_id, device_key) DO UPDATE SET
        player_name = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.player_name ELSE player_name END,
        device = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.device ELSE device END,
        product = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.product ELSE product END,
        platform = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.platform ELSE platform END,
        plays = plays + 1, played_ms = played_ms + excluded.played_ms,
        first_play_at = MIN(first_play_at, excluded.first_play_at),
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at);
    INSERT INTO account_addresses (account_id, ip, plays, first_play_at, last_seen_at, located_at, city, region,
                                   country_code, country_name, latitude, longitude, asn, asn_org)
    SELECT NEW.account_id, NEW.client_ip, 1, NEW.started_at, NEW.last_seen_at,
           CASE WHEN NEW.address_class IS NOT NULL OR NEW.country_code IS NOT NULL THEN NEW.last_seen_at END,
           NEW.city, NEW.region, NEW.country_code, NEW.country_name, NEW.latitude, NEW.longitude, NEW.asn, NEW.asn_org
    WHERE NEW.client_ip IS NOT NULL
    ON CONFLICT (account_id, ip) DO UPDATE SET
        plays = plays + 1,
        first_play_at = MIN(first_play_at, excluded.first_play_at),
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at),
        located_at = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                          THEN excluded.located_at ELSE located_at END,
        city = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at) THEN excluded.city ELSE city END,
        region = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                      THEN excluded.region ELSE region END,
        country_code = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                            THEN excluded.country_code ELSE country_code END,
        country_name = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                            THEN excluded.country_name ELSE country_name END,
        latitude = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                        THEN excluded.latitude ELSE latitude END,
        longitude = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                         THEN excluded.longitude ELSE longitude END,
        asn = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at) THEN excluded.asn ELSE asn END,
        asn_org = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                       THEN excluded.asn_org ELSE asn_org END;
END;

CREATE TRIGGER plays_people_on_delete AFTER DELETE ON plays
BEGIN
    UPDATE account_totals SET plays = plays - 1, played_ms = played_ms - OLD.played_ms
    WHERE account_id = OLD.account_id;
    DELETE FROM account_totals WHERE account_id = OLD.account_id AND plays <= 0;
    UPDATE account_devices SET plays = plays - 1, played_ms = played_ms - OLD.played_ms
    WHERE account_id = OLD.account_id
      AND device_key = COALESCE(NULLIF(OLD.device_id, ''), '~' || COALESCE(OLD.player_name, OLD.device, OLD.product, ''));
    DELETE FROM account_devices WHERE account_id = OLD.account_id AND plays <= 0;
    UPDATE account_addresses SET plays = plays - 1 WHERE account_id = OLD.account_id AND ip = OLD.client_ip;
    DELETE FROM account_addresses WHERE account_id = OLD.account_id AND ip = OLD.client_ip AND plays <= 0;
END;

-- Updated plays (a running play's totals every few seconds, its stop, a new address or its place):
-- the new row is added, then the old one taken out, so a row that stays where it was only changes
-- by the difference. Each trigger fires only when a column it reads changed.
CREATE TRIGGER plays_totals_on_update AFTER UPDATE OF account_id, started_at, last_seen_at, played_ms ON plays
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.started_at IS NOT NEW.started_at
     OR OLD.last_seen_at IS NOT NEW.last_seen_at OR OLD.played_ms IS NOT NEW.played_ms
BEGIN
    INSERT INTO account_totals (account_id, plays, played_ms, first_play_at, last_seen_at)
    VALUES (NEW.account_id, 1, NEW.played_ms, NEW.started_at, NEW.last_seen_at)
    ON CONFLICT (account_id) DO UPDATE SET plays = plays + 1, played_ms = played_ms + excluded.played_ms,
        first_play_at = MIN(first_play_at, excluded.first_play_at),
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at);
    UPDATE account_totals SET plays = plays - 1, played_ms = played_ms - OLD.played_ms
    WHERE account_id = OLD.account_id;
    DELETE FROM account_totals WHERE account_id = OLD.account_id AND plays <= 0;
END;

CREATE TRIGGER plays_devices_on_update AFTER UPDATE OF
    account_id, started_at, last_seen_at, played_ms, device_id, player_name, device, product, platform ON plays
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.started_at IS NOT NEW.started_at
     OR OLD.last_seen_at IS NOT NEW.last_seen_at OR OLD.played_ms IS NOT NEW.played_ms
     OR OLD.device_id IS NOT NEW.device_id OR OLD.player_name IS NOT NEW.player_name OR OLD.device IS NOT NEW.device
     OR OLD.product IS NOT NEW.product OR OLD.platform IS NOT NEW.platform
BEGIN
    INSERT INTO account_devices (account_id, device_key, player_name, device, product, platform, plays, played_ms,
                                 first_play_at, last_seen_at)
    VALUES (NEW.account_id,
            COALESCE(NULLIF(NEW.device_id, ''), '~' || COALESCE(NEW.player_name, NEW.device, NEW.product, '')),
            NEW.player_name, NEW.device, NEW.product, NEW.platform, 1, NEW.played_ms, NEW.started_at, NEW.last_seen_at)
    ON CONFLICT (account_id, device_key) DO UPDATE SET
        player_name = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.player_name ELSE player_name END,
        device = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.device ELSE device END,
        product = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.product ELSE product END,
        platform = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.platform ELSE platform END,
        plays = plays + 1, played_ms = played_ms + excluded.played_ms,
        first_play_at = MIN(first_play_at, excluded.first_play_at),
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at);
    UPDATE account_devices SET plays = plays - 1, played_ms = played_ms - OLD.played_ms
    WHERE account_id = OLD.account_id
      AND device_key = COALESCE(NULLIF(OLD.device_id, ''), '~' || COALESCE(OLD.player_name, OLD.device, OLD.product, ''));
    DELETE FROM account_devices WHERE account_id = OLD.account_id AND plays <= 0;
END;

CREATE TRIGGER plays_addresses_on_update AFTER UPDATE OF
    account_id, started_at, last_seen_at, client_ip, address_class, city, region, country_code, country_name,
    latitude, longitude, asn, asn_org ON plays
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.started_at IS NOT NEW.started_at
     OR OLD.last_seen_at IS NOT NEW.last_seen_at OR OLD.client_ip IS NOT NEW.client_ip
     OR OLD.address_class IS NOT NEW.address_class OR OLD.city IS NOT NEW.city OR OLD.region IS NOT NEW.region
     OR OLD.country_code IS NOT NEW.country_code OR OLD.country_name IS NOT NEW.country_name
     OR OLD.latitude IS NOT NEW.latitude OR OLD.longitude IS NOT NEW.longitude OR OLD.asn IS NOT NEW.asn
     OR OLD.asn_org IS NOT NEW.asn_org
BEGIN
    INSERT INTO account_addresses (account_id, ip, plays, first_play_at, last_seen_at, located_at, city, region,
                                   country_code, country_name, latitude, longitude, asn, asn_org)
    SELECT NEW.account_id, NEW.client_ip, 1, NEW.started_at, NEW.last_seen_at,
           CASE WHEN NEW.address_class IS NOT NULL OR NEW.country_code IS NOT NULL THEN NEW.last_seen_at END,
           NEW.city, NEW.region, NEW.country_code, NEW.country_name, NEW.latitude, NEW.longitude, NEW.asn, NEW.asn_org
    WHERE NEW.client_ip IS NOT NULL
    ON CONFLICT (account_id, ip) DO UPDATE SET
        plays = plays + 1,
        first_play_at = MIN(first_play_at, excluded.first_play_at),
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at),
        located_at = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                          THEN excluded.located_at ELSE located_at END,
        city = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at) THEN excluded.city ELSE city END,
        region = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                      THEN excluded.region ELSE region END,
        country_code = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                            THEN excluded.country_code ELSE country_code END,
        country_name = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                            THEN excluded.country_name ELSE country_name END,
        latitude = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                        THEN excluded.latitude ELSE latitude END,
        longitude = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                         THEN excluded.longitude ELSE longitude END,
        asn = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at) THEN excluded.asn ELSE asn END,
        asn_org = CASE WHEN excluded.located_at >= COALESCE(located_at, excluded.located_at)
                       THEN excluded.asn_org ELSE asn_org END;
    UPDATE account_addresses SET plays = plays - 1 WHERE account_id = OLD.account_id AND ip = OLD.client_ip;
    DELETE FROM account_addresses WHERE account_id = OLD.account_id AND ip = OLD.client_ip AND plays <= 0;
END;
