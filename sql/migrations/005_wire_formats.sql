-- What agency wire formats (NewsML-G2, NewsML 1.2, NITF, ANPA-1312, IPTC 7901, JSON APIs) say
-- about an item beyond its text; NULL for articles from feeds, pages and plain wire text.
ALTER TABLE article_rows ADD COLUMN format VARCHAR;          -- newsml-g2 | newsml-1.2 | nitf | anpa-1312 | iptc-7901 | json-ap | json-reuters
ALTER TABLE article_rows ADD COLUMN version INTEGER;         -- the agency's version number of the item
ALTER TABLE article_rows ADD COLUMN pub_status VARCHAR;      -- usable | withheld | canceled
ALTER TABLE article_rows ADD COLUMN urgency INTEGER;         -- 1 (flash) .. 8
ALTER TABLE article_rows ADD COLUMN priority INTEGER;
ALTER TABLE article_rows ADD COLUMN slugline VARCHAR;
ALTER TABLE article_rows ADD COLUMN byline VARCHAR;
ALTER TABLE article_rows ADD COLUMN take_key VARCHAR;        -- "1stLd-Writethru", "REFILE", "UPDATE 2"
ALTER TABLE article_rows ADD COLUMN signals VARCHAR[];
ALTER TABLE article_rows ADD COLUMN subjects VARCHAR[];      -- "code name" as the agency gives them
ALTER TABLE article_rows ADD COLUMN ednote VARCHAR;
ALTER TABLE article_rows ADD COLUMN correction BOOLEAN;
-- Set on every version of an article when a kill or cancel notice for it arrives; the rows stay.
ALTER TABLE article_rows ADD COLUMN withdrawn_at TIMESTAMP;
-- A "WITHDRAWN" notice in the outbox names the alert it withdraws (NULL for ordinary alerts).
ALTER TABLE alert_rows ADD COLUMN withdraws VARCHAR;
