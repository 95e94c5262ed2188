-- The Map page groups located plays of a period: an index of just those, by start time.
-- (The Alerts list walks `incidents_updated_at` newest first and stops at the page size.)

CREATE INDEX plays_located_started_at ON plays (started_at) WHERE latitude IS NOT NULL AND longitude IS NOT NULL;
