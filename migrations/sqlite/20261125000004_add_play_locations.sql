-- Where each play's client address was, as GeoIP placed it when the play started (or when its
-- address changed). Empty when no database was loaded or the address is not public.

ALTER TABLE plays ADD COLUMN address_class TEXT;
ALTER TABLE plays ADD COLUMN city TEXT;
ALTER TABLE plays ADD COLUMN region TEXT;
ALTER TABLE plays ADD COLUMN country_code TEXT;
ALTER TABLE plays ADD COLUMN country_name TEXT;
ALTER TABLE plays ADD COLUMN latitude REAL;
ALTER TABLE plays ADD COLUMN longitude REAL;
ALTER TABLE plays ADD COLUMN accuracy_km REAL;
ALTER TABLE plays ADD COLUMN asn INTEGER;
ALTER TABLE plays ADD COLUMN asn_org TEXT;
ALTER TABLE plays ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;

CREATE INDEX plays_country_started_at ON plays (country_code, started_at);
