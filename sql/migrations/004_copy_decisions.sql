-- Exact copies counted but not stored: which stored article each copied and by which rule
-- (guid: same source and GUID; url: same normalised URL; content hash: the same body), so that
-- `wirewatch story ID` can show them. Only copies of another item are kept (a feed's re-listing
-- of an item already stored is that article again, not a copy), once per item and article, and
-- only for the story window (ingest_copy_decisions prunes older rows).
CREATE TABLE copy_decision_rows (
    source VARCHAR NOT NULL,
    guid VARCHAR,                         -- as the item carried it
    url VARCHAR,
    article_id VARCHAR NOT NULL,          -- the stored article it copies
    rule VARCHAR NOT NULL,                -- guid | url | content hash
    run_id VARCHAR,
    seen_at TIMESTAMP NOT NULL
);
