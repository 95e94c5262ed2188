-- History: plays grouped into resume chains, filtered and paged newest first at a million rows.
--
-- A play that resumes an earlier one (`resumes_key`) belongs to that play's chain; the chain's head
-- is its first play. `chain_head` (the head's id) and `chain_started_at` (the head's start) are
-- set once, when a play is inserted, by the trigger below; the upserts of a running play never
-- touch them. The history list walks `(chain_started_at, chain_head)` newest first and stops at
-- the page size; every filter has an index that starts with its column and continues in that
-- order, so a filtered page is a walk of one index too.

ALTER TABLE plays ADD COLUMN chain_head INTEGER;
ALTER TABLE plays ADD COLUMN chain_started_at INTEGER;

-- Existing rows: heads first, then each resuming play takes its predecessor's chain, recursively.
WITH RECURSIVE chain (id, head, head_started) AS (
    SELECT id, id, started_at FROM plays WHERE resumes_key IS NULL
    UNION ALL
    SELECT p.id, c.head, c.head_started
    FROM chain c
    JOIN plays h ON h.id = c.id
    JOIN plays p ON p.server_id = h.server_id AND p.resumes_key = h.play_key
)
UPDATE plays SET chain_head = (SELECT head FROM chain WHERE chain.id = plays.id),
                 chain_started_at = (SELECT head_started FROM chain WHERE chain.id = plays.id);
-- A play whose predecessor is gone heads its own chain.
UPDATE plays SET chain_head = id, chain_started_at = started_at WHERE chain_head IS NULL;

CREATE TRIGGER plays_chain_on_insert AFTER INSERT ON plays WHEN NEW.chain_head IS NULL
BEGIN
    UPDATE plays SET
        chain_head = COALESCE(
            (SELECT h.chain_head FROM plays h WHERE h.server_id = NEW.server_id AND h.play_key = NEW.resumes_key),
            NEW.id),
        chain_started_at = COALESCE(
            (SELECT h.chain_started_at FROM plays h WHERE h.server_id = NEW.server_id AND h.play_key = NEW.resumes_key),
            NEW.started_at)
    WHERE id = NEW.id;
END;

CREATE INDEX plays_chain_order ON plays (chain_started_at, chain_head);
CREATE INDEX plays_chain_members ON plays (chain_head);
CREATE INDEX plays_history_account ON plays (account_id, chain_started_at, chain_head);
CREATE INDEX plays_history_server ON plays (server_id, chain_started_at, chain_head);
CREATE INDEX plays_history_media_type ON plays (media_type, chain_started_at, chain_head);
CREATE INDEX plays_history_platform ON plays (platform, chain_started_at, chain_head);
CREATE INDEX plays_history_product ON plays (product, chain_started_at, chain_head);
CREATE INDEX plays_history_device ON plays (device, chain_started_at, chain_head);
CREATE INDEX plays_history_ip ON plays (client_ip, chain_started_at, chain_head);
CREATE INDEX plays_history_country ON plays (country_code, chain_started_at, chain_head);
CREATE INDEX plays_history_city ON plays (city, chain_started_at, chain_head);
CREATE INDEX plays_history_decision ON plays (decision, chain_started_at, chain_head);
CREATE INDEX plays_history_watched ON plays (watched, chain_started_at, chain_head);
CREATE INDEX plays_history_title ON plays (title COLLATE NOCASE, chain_started_at, chain_head);

-- Title search: an FTS5 index over the three title columns, kept in step with `plays` by triggers.
-- Titles are written when a play is inserted and never changed by the upserts of a running play;
-- the update trigger only fires when one of them really changes.
CREATE VIRTUAL TABLE plays_fts USING fts5 (
    title, grandparent_title, parent_title,
    content = 'plays', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
INSERT INTO plays_fts (plays_fts) VALUES ('rebuild');

CREATE TRIGGER plays_fts_on_insert AFTER INSERT ON plays
BEGIN
    INSERT INTO plays_fts (rowid, title, grandparent_title, parent_title)
    VALUES (NEW.id, NEW.title, NEW.grandparent_title, NEW.parent_title);
END;

CREATE TRIGGER plays_fts_on_delete AFTER DELETE ON plays
BEGIN
    INSERT INTO plays_fts (plays_fts, rowid, title, grandparent_title, parent_title)
    VALUES ('delete', OLD.id, OLD.title, OLD.grandparent_title, OLD.parent_title);
END;

CREATE TRIGGER plays_fts_on_title_change AFTER UPDATE OF title, grandparent_title, parent_title ON plays
WHEN OLD.title IS NOT NEW.title OR OLD.grandparent_title IS NOT NEW.grandparent_title
     OR OLD.parent_title IS NOT NEW.parent_title
BEGIN
    INSERT INTO plays_fts (plays_fts, rowid, title, grandparent_title, parent_title)
    VALUES ('delete', OLD.id, OLD.title, OLD.grandparent_title, OLD.parent_title);
    INSERT INTO plays_fts (rowid, title, grandparent_title, parent_title)
    VALUES (NEW.id, NEW.title, NEW.grandparent_title, NEW.parent_title);
END;
