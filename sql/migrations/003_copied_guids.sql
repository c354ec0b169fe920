-- GUIDs of items dropped as exact copies of a stored article (another source's reprint, or the
-- same text under a new GUID). A feed poll skips the pages of these entries as it skips those of
-- stored articles; without them, every poll of a changed feed fetched such pages again.
CREATE TABLE copied_guid_rows (
    source VARCHAR NOT NULL,
    guid VARCHAR NOT NULL,                -- as the item carried it
    article_id VARCHAR NOT NULL,          -- the stored article it copies
    seen_at TIMESTAMP NOT NULL
);
